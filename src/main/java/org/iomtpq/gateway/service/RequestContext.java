package org.iomtpq.gateway.service;

import java.util.Objects;
import java.util.function.Consumer;

import org.iomtpq.gateway.protocol.ProtocolException;
import org.iomtpq.gateway.protocol.Step;

/**
 * One inbound device message: where it came from and what we learned while handling it. The error mapper reads
 * the learned {@code deviceId}/{@code seq} to audit a rejection and to fill the error's {@code seq}.
 * {@code addressedDeviceId} is the id in the MQTT topic or the HTTP path, when there is one.
 */
public final class RequestContext {

    private final Transport transport;
    private final Step step;
    private final String addressedDeviceId;
    private String deviceId;
    private Long seq;
    private String source;
    private Consumer<String> deviceAdmission = id -> { };
    private Runnable onSettled = () -> { };

    public RequestContext(Transport transport, Step step, String addressedDeviceId) {
        this.transport = Objects.requireNonNull(transport);
        this.step = Objects.requireNonNull(step);
        this.addressedDeviceId = addressedDeviceId;
        this.deviceId = addressedDeviceId;
    }

    public Transport transport() {
        return transport;
    }

    // The capabilities: what a step may assume about how its message travels. Which transport has which is decided in
    // Transport alone.

    /**
     * The transport keeps the message unacknowledged until it is answered and hands it over again if the gateway goes
     * away meanwhile (MQTT QoS 1): a storage outage may be waited out before answering. Over HTTP the caller is
     * answered at once (503) and retries itself.
     */
    public boolean unacknowledgedUntilAnswered() {
        return transport.can(Transport.Capability.UNACKNOWLEDGED_UNTIL_ANSWERED);
    }

    /**
     * The transport delivers at least once (MQTT QoS 1: after a lost acknowledgement or a gateway restart the broker
     * sends the message again), so a byte-identical copy of an accepted enroll, rotate or telemetry is that message
     * again and is answered as the original was (PROTOCOL.md §3), even where its checks would now fail (a timestamp
     * gone stale, a session ended since). Over HTTP identical bytes are a new request and are checked as one.
     */
    public boolean identicalRepeatsAreRedeliveries() {
        return transport.can(Transport.Capability.IDENTICAL_REPEATS_ARE_REDELIVERIES);
    }

    /**
     * Anyone who may publish on the device's topic can send an enroll (MQTT): it is taken only with an unexpired operator
     * approval, which it consumes (§4). Over HTTP the operator's token, checked before the body is read, is the approval.
     */
    public boolean enrollmentNeedsApproval() {
        return transport.can(Transport.Capability.ENROLLMENT_NEEDS_APPROVAL);
    }

    /**
     * Stored telemetry gets an answer (HTTP 201 ack: the caller waits for one). Over MQTT the broker acknowledgement,
     * sent once the reading is stored, is the device's receipt, and only errors are answered (§3).
     */
    public boolean answersStoredTelemetry() {
        return transport.can(Transport.Capability.ANSWERS_STORED_TELEMETRY);
    }

    public Step step() {
        return step;
    }

    public String deviceId() {
        return deviceId;
    }

    public Long seq() {
        return seq;
    }

    public void seq(long value) {
        this.seq = value;
    }

    /** The sender's network address where the transport knows it (HTTP), else null (MQTT: the broker's client). */
    public String source() {
        return source;
    }

    public void source(String address) {
        this.source = address;
    }

    /**
     * What a deviceId first learned from the body must pass (the rate limits), before the service does any work for
     * it; it throws the rejection.
     */
    void admitDevicesWith(Consumer<String> admission) {
        this.deviceAdmission = Objects.requireNonNull(admission);
    }

    /**
     * Records the body's deviceId; where the topic or path named a device, the body must name the same one
     * (PROTOCOL.md §3, §5a), otherwise MALFORMED_REQUEST. Every service calls this right after parsing, before any
     * work for the device, so it is where a device named only in the body is rate limited.
     */
    void onSettled(Runnable action) {
        Runnable before = onSettled;
        onSettled = () -> {
            before.run();
            action.run();
        };
    }

    /**
     * The request was answered without being refused (or refused for the gateway's own reason, UNAVAILABLE): it does
     * not count against its sender's rejection limits. Runs once.
     */
    public void settled() {
        Runnable action = onSettled;
        onSettled = () -> { };
        action.run();
    }

    public void bodyDeviceId(String bodyDeviceId) {
        if (addressedDeviceId != null && !addressedDeviceId.equals(bodyDeviceId)) {
            throw ProtocolException.malformed("deviceId in the body differs from the one in the " + transport.deviceAddress());
        }
        this.deviceId = bodyDeviceId;
        if (addressedDeviceId == null) {
            deviceAdmission.accept(bodyDeviceId); // the addressed one was admitted on arrival
        }
    }
}
