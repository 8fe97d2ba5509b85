package org.iomtpq.gateway.protocol;

/** {@code ack} (§6): HTTP 201 answer once a telemetry observation is durably stored. */
public record AckMessage(long seq) {
}
