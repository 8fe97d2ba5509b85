package org.iomtpq.gateway.camel;

import java.time.Clock;
import java.util.Locale;
import java.util.OptionalLong;

import com.mongodb.MongoException;
import com.mongodb.MongoWriteException;
import org.apache.camel.Exchange;
import org.iomtpq.gateway.audit.AuditEvent;
import org.iomtpq.gateway.protocol.ErrorCode;
import org.iomtpq.gateway.protocol.ErrorMessage;
import org.iomtpq.gateway.protocol.MessageCodec;
import org.iomtpq.gateway.protocol.ProtocolException;
import org.iomtpq.gateway.protocol.Step;
import org.iomtpq.gateway.service.AuditTrail;
import org.iomtpq.gateway.service.OutageWaitedOut;
import org.iomtpq.gateway.service.RequestContext;
import org.iomtpq.gateway.service.Transport;
import org.iomtpq.gateway.store.DeadLetters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared error mapping: any failure becomes the protocol's error JSON (PROTOCOL.md §8) and an audit entry;
 * device messages that could not be processed at all are queued for {@code dead_letters} with their original
 * bytes. A stack trace only ever goes to the process log, and only for failures that are not protocol rejections.
 */
public final class ErrorReplies {

    private static final Logger LOG = LoggerFactory.getLogger(ErrorReplies.class);

    private final AuditTrail audit;
    private final Clock clock;
    private final java.util.function.BiConsumer<String, java.time.Instant> deadLetterNoted;

    /** @param deadLetterNoted told the id and time of each dead letter about to be written (retention) */
    public ErrorReplies(AuditTrail audit, Clock clock, java.util.function.BiConsumer<String, java.time.Instant> deadLetterNoted) {
        this.audit = audit;
        this.clock = clock;
        this.deadLetterNoted = deadLetterNoted;
    }

    /** Builds the error answer for the exception the exchange carries. */
    public void toErrorReply(Exchange exchange) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        ProtocolException error = classify(failure);
        RequestContext ctx = exchange.getProperty(ExchangeKeys.REQUEST, RequestContext.class);
        Step step = ctx == null ? null : ctx.step();
        Long seq = step == Step.TELEMETRY ? telemetrySeq(error, ctx, exchange) : null;
        ErrorMessage answer = new ErrorMessage(error.code(), error.getMessage(), step == null ? null : step.wire(), seq);
        exchange.getMessage().setBody(MessageCodec.toJson(answer));
        exchange.setProperty(ExchangeKeys.HTTP_STATUS, error.code().httpStatus());
        exchange.setProperty(ExchangeKeys.ERROR_CODE, error.code().name());
        boolean deviceMessage = ctx != null || Boolean.TRUE.equals(exchange.getProperty(ExchangeKeys.DEVICE_MESSAGE));
        if (deviceMessage && isUnprocessable(error.code(), failure)) {
            java.time.Instant now = clock.instant();
            org.bson.Document deadLetter = DeadLetters.of(transport(exchange),
                    exchange.getProperty(ExchangeKeys.SOURCE, String.class), step == null ? null : step.wire(),
                    error.code().name(),
                    error.getMessage(), exchange.getProperty(ExchangeKeys.RAW_BODY, byte[].class), now);
            noteDeadLetter(deadLetter.getObjectId("_id").toHexString(), now);
            exchange.setProperty(ExchangeKeys.DEAD_LETTER, deadLetter);
        }
        if (ctx != null && error.code() == ErrorCode.UNAVAILABLE) {
            ctx.settled(); // the gateway's failure, not the sender's: no rejection counted against it
        }
        auditRejection(ctx, step, error);
    }

    /** Noting it for retention must not stand in the way of keeping the message: a failure only leaves it unpurged. */
    private void noteDeadLetter(String id, java.time.Instant at) {
        try {
            deadLetterNoted.accept(id, at);
        } catch (RuntimeException e) {
            LOG.warn("retention: could not note dead letter {}: {}", id, e.toString());
        }
    }

    /**
     * A storage outage (not a duplicate key) while handling a message its transport keeps unacknowledged until answered
     * (MQTT QoS 1): worth retrying before answering. An HTTP caller is told UNAVAILABLE at once and retries itself.
     */
    public boolean isStorageOutageWorthWaitingOut(Exchange exchange) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (failure == null) {
            failure = exchange.getException();
        }
        // the observation writer has waited the outage out already, in order (OutageWaits): no second round of retries
        RequestContext ctx = exchange.getProperty(ExchangeKeys.REQUEST, RequestContext.class);
        return ctx != null && ctx.unacknowledgedUntilAnswered() && isStorageFailure(failure) && !waitedOut(failure);
    }

    /**
     * The dead-letter write itself failed (storage is down): the answer becomes UNAVAILABLE, so the sender knows
     * nothing was kept and may retry.
     */
    public void deadLetterFailed(Exchange exchange) {
        RequestContext ctx = exchange.getProperty(ExchangeKeys.REQUEST, RequestContext.class);
        Step step = ctx == null ? null : ctx.step();
        ErrorCode code = ErrorCode.UNAVAILABLE;
        exchange.getMessage().setBody(MessageCodec.toJson(new ErrorMessage(code,
                "storage is unavailable; nothing was accepted, retry later", step == null ? null : step.wire(), null)));
        exchange.setProperty(ExchangeKeys.HTTP_STATUS, code.httpStatus());
        exchange.setProperty(ExchangeKeys.ERROR_CODE, code.name());
    }

    private static boolean waitedOut(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof OutageWaitedOut) {
                return true;
            }
        }
        return false;
    }

    private static boolean isStorageFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof MongoException && !(t instanceof MongoWriteException mwe && mwe.getError().getCode() == 11000)) {
                return true;
            }
        }
        return false;
    }

    private static Long telemetrySeq(ProtocolException error, RequestContext ctx, Exchange exchange) {
        if (error.seq() != null) {
            return error.seq();
        }
        if (ctx != null && ctx.seq() != null) {
            return ctx.seq();
        }
        byte[] raw = exchange.getProperty(ExchangeKeys.RAW_BODY, byte[].class);
        OptionalLong peeked = raw == null ? OptionalLong.empty() : MessageCodec.peekSeq(raw);
        return peeked.isPresent() ? peeked.getAsLong() : null;
    }

    static ProtocolException classify(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ProtocolException pe) {
                return pe;
            }
            if (t instanceof MongoWriteException mwe && mwe.getError().getCode() == 11000) {
                // Lost a race on a unique index: for observations this is a seq stored meanwhile.
                return new ProtocolException(ErrorCode.REPLAY, "this message was already received");
            }
            if (t instanceof MongoException) {
                return new ProtocolException(ErrorCode.UNAVAILABLE, "storage is unavailable; nothing was accepted, retry later");
            }
        }
        LOG.error("unexpected failure while handling a request", failure);
        return new ProtocolException(ErrorCode.UNAVAILABLE, "internal error; nothing was accepted, retry later");
    }

    private static boolean isUnprocessable(ErrorCode code, Throwable failure) {
        return switch (code) {
            case MALFORMED_REQUEST, VALIDATION_FAILED, PAYLOAD_TOO_LARGE -> true;
            case UNAVAILABLE -> !isStorageFailure(failure); // an internal error: keep the message for analysis
            default -> false;
        };
    }

    private void auditRejection(RequestContext ctx, Step step, ProtocolException error) {
        if (error.code() == ErrorCode.UNAVAILABLE) {
            return; // nothing was decided about the request; the storage the audit needs is what failed
        }
        try {
            audit.recordRejection(AuditEvent.rejected(eventType(step, error.code()), ctx == null ? null : ctx.deviceId(),
                    (step == null ? "operator API" : step.wire()) + " rejected: " + error.code().name()));
        } catch (RuntimeException e) {
            LOG.warn("could not audit a {} rejection: {}", error.code(), e.toString());
        }
    }

    static String eventType(Step step, ErrorCode code) {
        if (code == ErrorCode.RATE_LIMITED) {
            return "RATE_LIMITED"; // one summarized entry per window and device when it floods (RejectionThrottle)
        }
        if (step == null) {
            return code == ErrorCode.UNAUTHORIZED || code == ErrorCode.FORBIDDEN ? "ACCESS_DENIED" : "REQUEST_REJECTED";
        }
        return switch (step) {
            case ENROLL -> "ENROLLMENT_REJECTED";
            case HELLO, FINISHED -> "AUTH_FAILED";
            case ROTATE -> "ROTATION_REJECTED";
            case TELEMETRY -> switch (code) {
                case DECRYPT_FAILED -> "DECRYPT_FAILED";
                case REPLAY -> "REPLAY_REJECTED";
                default -> "TELEMETRY_REJECTED";
            };
        };
    }

    private static String transport(Exchange exchange) {
        return exchange.getProperty(ExchangeKeys.TRANSPORT, Transport.HTTP.wireName(), String.class).toLowerCase(Locale.ROOT);
    }
}
