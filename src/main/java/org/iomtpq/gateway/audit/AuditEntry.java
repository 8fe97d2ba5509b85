package org.iomtpq.gateway.audit;

import java.util.Objects;

/**
 * One link of an audit stream (PROTOCOL.md §10). Hashes are lowercase {@code 0x} hex; {@code timestamp} is the
 * exact string that was hashed (millisecond precision); {@code deviceId} is null where there is none.
 */
public record AuditEntry(String stream, long seq, String prevHash, String hash, String eventType, String deviceId,
                         String gatewayId, String timestamp, AuditStatus status, String message) {

    public AuditEntry {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(prevHash, "prevHash");
        Objects.requireNonNull(hash, "hash");
        Objects.requireNonNull(eventType, "eventType");
        Objects.requireNonNull(gatewayId, "gatewayId");
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(message, "message");
        if (seq < 1) {
            throw new IllegalArgumentException("audit seq starts at 1");
        }
    }
}
