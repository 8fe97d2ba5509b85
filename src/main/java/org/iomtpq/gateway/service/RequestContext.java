package org.iomtpq.gateway.service;

import java.util.Objects;

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

    public RequestContext(Transport transport, Step step, String addressedDeviceId) {
        this.transport = Objects.requireNonNull(transport);
        this.step = Objects.requireNonNull(step);
        this.addressedDeviceId = addressedDeviceId;
        this.deviceId = addressedDeviceId;
    }

    public Transport transport() {
        return transport;
    }

    /**
     * The transport keeps the message unacknowledged until it is answered and hands it over again if the gateway goes
     * away meanwhile (MQTT QoS 1): a storage outage may be waited out before answering. Over HTTP the caller is
     * answered at once (503) and retries itself.
     */
    public boolean unacknowledgedUntilAnswered() {
        return transport == Transport.MQTT;
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

    /**
     * Records the body's deviceId; where the topic or path named a device, the body must name the same one
     * (PROTOCOL.md §3, §5a), otherwise MALFORMED_REQUEST.
     */
    public void bodyDeviceId(String bodyDeviceId) {
        if (addressedDeviceId != null && !addressedDeviceId.equals(bodyDeviceId)) {
            throw ProtocolException.malformed("deviceId in the body differs from the one in the "
                    + (transport == Transport.MQTT ? "topic" : "path"));
        }
        this.deviceId = bodyDeviceId;
    }
}
