package org.iomtpq.gateway.audit;

import java.util.Objects;

/**
 * Something worth auditing, before it is placed in a stream. {@code message} must never hold key material,
 * tokens or vital-sign values: it is public to every auditor and hashed forever.
 */
public record AuditEvent(String eventType, String deviceId, AuditStatus status, String message) {

    public AuditEvent {
        Objects.requireNonNull(eventType, "eventType");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(message, "message");
    }

    public static AuditEvent success(String eventType, String deviceId, String message) {
        return new AuditEvent(eventType, deviceId, AuditStatus.SUCCESS, message);
    }

    public static AuditEvent rejected(String eventType, String deviceId, String message) {
        return new AuditEvent(eventType, deviceId, AuditStatus.REJECTED, message);
    }
}
