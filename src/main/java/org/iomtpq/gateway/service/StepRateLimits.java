package org.iomtpq.gateway.service;

import java.util.EnumSet;
import java.util.Set;
import java.util.function.LongSupplier;

import org.iomtpq.gateway.protocol.ErrorCode;
import org.iomtpq.gateway.protocol.ProtocolException;
import org.iomtpq.gateway.protocol.Step;

/**
 * RATE_LIMITED (PROTOCOL.md §8, 429) for the steps anyone can send before a device is authenticated (enroll, hello,
 * finished, rotate) and for operator authentication, decided before any signature check, KEM work or store read.
 * <ul>
 *   <li>requests per source address (HTTP; an MQTT broker does not tell its subscribers who published) and per
 *       deviceId: a generous bucket each, so a ward behind one address still gets through;</li>
 *   <li>rejections per source and per deviceId: a tighter bucket that only refused requests spend (each pays on
 *       arrival and gets it back when it is answered without a refusal). A source or device that keeps sending what
 *       is refused (bad hellos, wrong MACs, bad signatures) is then refused at once, until it slows down;</li>
 *   <li>failed operator or auditor authentications per source, checked before the token is compared.</li>
 * </ul>
 * Telemetry of an established session is never limited here: its session bounds it (maxMessages, expiry).
 * One instance counts for itself; with several behind a balancer each allows the rate.
 */
public final class StepRateLimits {

    /** The limits; a rate of 0 turns that one off. */
    public record Settings(TokenBuckets.Rate sourceRequests, TokenBuckets.Rate deviceRequests,
                           TokenBuckets.Rate sourceRejections, TokenBuckets.Rate deviceRejections,
                           TokenBuckets.Rate authFailures, int tracked) {
    }

    private static final Set<Step> BEFORE_AUTHENTICATION = EnumSet.of(Step.ENROLL, Step.HELLO, Step.FINISHED, Step.ROTATE);

    private final TokenBuckets sourceRequests;
    private final TokenBuckets deviceRequests;
    private final TokenBuckets sourceRejections;
    private final TokenBuckets deviceRejections;
    private final TokenBuckets authFailures;

    public StepRateLimits(Settings settings, LongSupplier nanos) {
        this.sourceRequests = new TokenBuckets(settings.sourceRequests(), settings.tracked(), nanos);
        this.deviceRequests = new TokenBuckets(settings.deviceRequests(), settings.tracked(), nanos);
        this.sourceRejections = new TokenBuckets(settings.sourceRejections(), settings.tracked(), nanos);
        this.deviceRejections = new TokenBuckets(settings.deviceRejections(), settings.tracked(), nanos);
        this.authFailures = new TokenBuckets(settings.authFailures(), settings.tracked(), nanos);
    }

    /** No limits at all (tests and tools that build a gateway's parts by hand). */
    public static StepRateLimits none() {
        TokenBuckets.Rate off = new TokenBuckets.Rate(0, 0);
        return new StepRateLimits(new Settings(off, off, off, off, off, 1), System::nanoTime);
    }

    /**
     * A device message has arrived: its source and the device its topic or path names (if any) are admitted or
     * RATE_LIMITED. A deviceId learned from the body later is admitted through {@link RequestContext#bodyDeviceId}.
     */
    public void admit(RequestContext ctx) {
        if (!BEFORE_AUTHENTICATION.contains(ctx.step())) {
            return;
        }
        String source = ctx.source();
        if (source != null) {
            admit(ctx, source, sourceRejections, sourceRequests, "too many requests from this address; retry later");
        }
        ctx.admitDevicesWith(deviceId -> admit(ctx, deviceId, deviceRejections, deviceRequests,
                "too many requests for this device; retry later"));
        if (ctx.deviceId() != null) {
            admit(ctx, ctx.deviceId(), deviceRejections, deviceRequests, "too many requests for this device; retry later");
        }
    }

    /**
     * A request pays for its refusal up front (a rejection token, given back once it is {@link RequestContext#settled
     * settled} without one): with many requests in flight, checking first and charging after the refusal would let
     * every one of them through each time a token comes back.
     */
    private static void admit(RequestContext ctx, String key, TokenBuckets rejections, TokenBuckets requests, String why) {
        if (!rejections.tryTake(key)) {
            throw limited(why);
        }
        if (!requests.tryTake(key)) {
            throw limited(why); // refused: the rejection token stays spent
        }
        ctx.onSettled(() -> rejections.giveBack(key));
    }

    /** Before an operator or auditor token is compared: a source that failed too often is refused. */
    public void admitAuthentication(String source) {
        if (source != null && !authFailures.hasToken(source)) {
            throw limited("too many failed authentications from this address; retry later");
        }
    }

    /** A token was missing or unknown. */
    public void authenticationFailed(String source) {
        if (source != null) {
            authFailures.tryTake(source);
        }
    }

    private static ProtocolException limited(String message) {
        return new ProtocolException(ErrorCode.RATE_LIMITED, message);
    }
}
