package org.iomtpq.gateway.service;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicLong;

import org.iomtpq.gateway.protocol.ErrorCode;
import org.iomtpq.gateway.protocol.ProtocolException;
import org.iomtpq.gateway.protocol.Step;
import org.junit.jupiter.api.Test;

class StepRateLimitsTest {

    private final AtomicLong nanos = new AtomicLong();

    /** source 3 requests, device 2 requests, 2 rejections each, 2 failed authentications; nothing refills. */
    private final StepRateLimits limits = new StepRateLimits(new StepRateLimits.Settings(rate(3), rate(2), rate(2), rate(2),
            rate(2), 100), nanos::get);

    /** A request answered without a refusal. */
    private void admitAndAnswer(RequestContext ctx, String bodyDeviceId) {
        limits.admit(ctx);
        if (bodyDeviceId != null) {
            ctx.bodyDeviceId(bodyDeviceId);
        }
        ctx.settled();
    }

    private static TokenBuckets.Rate rate(int burst) {
        return new TokenBuckets.Rate(1e-9, burst);
    }

    private static RequestContext http(Step step, String source) {
        RequestContext ctx = new RequestContext(Transport.HTTP, step, null);
        ctx.source(source);
        return ctx;
    }

    private static void assertLimited(Runnable r) {
        assertEquals(ErrorCode.RATE_LIMITED, assertThrows(ProtocolException.class, r::run).code());
    }

    @Test
    void aSourceIsLimitedOnArrivalAndAnotherIsNot() {
        for (int i = 0; i < 3; i++) {
            admitAndAnswer(http(Step.HELLO, "10.0.0.1"), null);
        }
        assertLimited(() -> limits.admit(http(Step.HELLO, "10.0.0.1")));
        assertDoesNotThrow(() -> limits.admit(http(Step.HELLO, "10.0.0.2")));
    }

    @Test
    void aDeviceNamedOnlyInTheBodyIsLimitedWhenTheServiceLearnsIt() {
        for (int i = 0; i < 2; i++) {
            admitAndAnswer(http(Step.HELLO, null), "BP_001");
        }
        RequestContext third = http(Step.FINISHED, null);
        limits.admit(third);
        assertLimited(() -> third.bodyDeviceId("BP_001"));
        RequestContext other = http(Step.HELLO, null);
        limits.admit(other);
        assertDoesNotThrow(() -> other.bodyDeviceId("BP_002"));
    }

    @Test
    void aTopicsDeviceIsLimitedOnArrival() {
        admitAndAnswer(new RequestContext(Transport.MQTT, Step.HELLO, "PULSE_001"), null);
        admitAndAnswer(new RequestContext(Transport.MQTT, Step.HELLO, "PULSE_001"), null);
        assertLimited(() -> limits.admit(new RequestContext(Transport.MQTT, Step.HELLO, "PULSE_001")));
    }

    @Test
    void aRequestPaysForItsRefusalOnArrivalAndIsRepaidWhenSettled() {
        StepRateLimits generous = new StepRateLimits(new StepRateLimits.Settings(rate(100), rate(100), rate(2), rate(100),
                rate(2), 100), nanos::get);
        RequestContext refused = http(Step.HELLO, "10.0.0.9");
        generous.admit(refused); // never settled: refused
        for (int i = 0; i < 10; i++) {
            RequestContext answered = http(Step.HELLO, "10.0.0.9");
            generous.admit(answered);
            answered.settled();
            answered.settled(); // once only
        }
        // two in flight at once take the last token and the one before: a third is refused before any work
        generous.admit(http(Step.HELLO, "10.0.0.9"));
        assertLimited(() -> generous.admit(http(Step.HELLO, "10.0.0.9")));
    }

    @Test
    void telemetryIsNeverLimited() {
        for (int i = 0; i < 50; i++) {
            RequestContext ctx = http(Step.TELEMETRY, "10.0.0.1");
            limits.admit(ctx); // refused later (never settled), still nothing spent
        }
        assertDoesNotThrow(() -> limits.admit(http(Step.HELLO, "10.0.0.1")));
    }

    @Test
    void failedAuthenticationsLockTheSourceOutBeforeTheTokenIsCompared() {
        limits.admitAuthentication("10.0.0.5");
        limits.authenticationFailed("10.0.0.5");
        limits.admitAuthentication("10.0.0.5");
        limits.authenticationFailed("10.0.0.5");
        assertLimited(() -> limits.admitAuthentication("10.0.0.5"));
        assertDoesNotThrow(() -> limits.admitAuthentication("10.0.0.6"));
    }

    @Test
    void noneLimitsNothing() {
        StepRateLimits none = StepRateLimits.none();
        for (int i = 0; i < 1000; i++) {
            RequestContext ctx = http(Step.HELLO, "10.0.0.1");
            none.admit(ctx);
            ctx.bodyDeviceId("BP_001");
        }
    }
}
