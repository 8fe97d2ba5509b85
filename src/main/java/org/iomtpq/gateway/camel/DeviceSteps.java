package org.iomtpq.gateway.camel;

import org.apache.camel.Exchange;
import java.util.function.Function;

import org.iomtpq.gateway.protocol.AckMessage;
import org.iomtpq.gateway.protocol.EnrolledMessage;
import org.iomtpq.gateway.protocol.MessageCodec;
import org.iomtpq.gateway.protocol.RotationMessage;
import org.iomtpq.gateway.service.EnrollmentService;
import org.iomtpq.gateway.service.HandshakeService;
import org.iomtpq.gateway.service.RequestContext;
import org.iomtpq.gateway.service.RotationService;
import org.iomtpq.gateway.service.TelemetryService;

/**
 * Thin adapters from an exchange to the protocol services: raw bytes in, answer JSON and HTTP status out.
 * Exceptions travel to the shared error mapping untouched.
 */
public final class DeviceSteps {

    private final EnrollmentService enrollment;
    private final HandshakeService handshake;
    private final TelemetryService telemetry;
    private final RotationService rotation;

    public DeviceSteps(EnrollmentService enrollment, HandshakeService handshake, TelemetryService telemetry,
                       RotationService rotation) {
        this.enrollment = enrollment;
        this.handshake = handshake;
        this.telemetry = telemetry;
        this.rotation = rotation;
    }

    /** The answer names the registration's transaction once signed: {@link TxHashAnswer} waits for it. */
    public void enroll(Exchange exchange) {
        EnrollmentService.Outcome outcome = enrollment.enroll(raw(exchange), request(exchange));
        request(exchange).settled();
        EnrolledMessage e = outcome.enrolled();
        answer(exchange, outcome.created() ? 201 : 200, MessageCodec.toJson(e));
        awaitTxHash(exchange, outcome.outboxEntryId(), txHash -> MessageCodec.toJson(
                new EnrolledMessage(e.deviceId(), e.status(), e.deviceIdHash(), e.keyCommitment(), txHash)));
    }

    public void hello(Exchange exchange) {
        answer(exchange, 200, MessageCodec.toJson(handshake.hello(raw(exchange), request(exchange))));
        request(exchange).settled();
    }

    public void finished(Exchange exchange) {
        answer(exchange, 200, MessageCodec.toJson(handshake.finished(raw(exchange), request(exchange))));
        request(exchange).settled();
    }

    /** The answer names the rotateDeviceKey transaction once signed: {@link TxHashAnswer} waits for it. */
    public void rotate(Exchange exchange) {
        RotationService.Outcome outcome = rotation.rotate(raw(exchange), request(exchange));
        request(exchange).settled();
        RotationMessage r = outcome.rotation();
        answer(exchange, 200, MessageCodec.toJson(r));
        awaitTxHash(exchange, outcome.outboxEntryId(), txHash -> MessageCodec.toJson(
                new RotationMessage(r.deviceId(), r.status(), r.keyCommitment(), txHash)));
    }

    private static void awaitTxHash(Exchange exchange, String outboxEntryId, Function<String, String> answerWithTxHash) {
        if (outboxEntryId != null) {
            exchange.setProperty(TxHashAnswer.AWAITED, new TxHashAnswer.Awaited(outboxEntryId, answerWithTxHash));
        }
    }

    /**
     * Telemetry up to the write: the observation waits in an exchange property for the route's write step, or the
     * exchange is marked a duplicate (a QoS 1 repeat of a stored message) and nothing is stored or answered.
     */
    public void telemetry(Exchange exchange) {
        TelemetryService.Accepted accepted = telemetry.accept(raw(exchange), request(exchange));
        exchange.getMessage().setBody(null);
        if (accepted.observation().isEmpty()) {
            exchange.setProperty(ExchangeKeys.DUPLICATE, true);
            return;
        }
        exchange.setProperty(ExchangeKeys.OBSERVATION, accepted.observation().get());
    }

    /** After the observation is durably stored: a 201 ack where the transport answers stored telemetry (HTTP), else nothing. */
    public void telemetryStored(Exchange exchange) {
        RequestContext ctx = request(exchange);
        if (!ctx.answersStoredTelemetry() || Boolean.TRUE.equals(exchange.getProperty(ExchangeKeys.DUPLICATE))) {
            answer(exchange, 200, null);
            return;
        }
        answer(exchange, 201, MessageCodec.toJson(new AckMessage(ctx.seq())));
    }

    static void answer(Exchange exchange, int httpStatus, String json) {
        exchange.setProperty(ExchangeKeys.HTTP_STATUS, httpStatus);
        exchange.getMessage().setBody(json);
    }

    private static byte[] raw(Exchange exchange) {
        return exchange.getProperty(ExchangeKeys.RAW_BODY, byte[].class);
    }

    private static RequestContext request(Exchange exchange) {
        return exchange.getProperty(ExchangeKeys.REQUEST, RequestContext.class);
    }
}
