package org.iomtpq.gateway.service;

import java.time.Clock;
import java.time.Instant;

import org.iomtpq.gateway.audit.AuditEvent;
import org.iomtpq.gateway.protocol.DeviceStatus;
import org.iomtpq.gateway.protocol.ErrorCode;
import org.iomtpq.gateway.protocol.ProtocolException;
import org.iomtpq.gateway.store.DeviceRecord;
import org.iomtpq.gateway.store.DeviceRepository;
import org.iomtpq.gateway.store.SessionRecord;
import org.iomtpq.gateway.store.SessionRepository;

/**
 * Revocation, local part (PROTOCOL.md §7): status REVOKED, every session of the device ends at once (their
 * telemetry answers DEVICE_REVOKED until they would have expired), audit KEY_REVOKED. Revoking a revoked device
 * changes nothing and answers the same record.
 */
public final class RevocationService {

    private static final int MAX_REASON_LENGTH = 200;

    private final DeviceRepository devices;
    private final SessionRepository sessions;
    private final AuditTrail audit;
    private final Clock clock;

    public RevocationService(DeviceRepository devices, SessionRepository sessions, AuditTrail audit, Clock clock) {
        this.devices = devices;
        this.sessions = sessions;
        this.audit = audit;
        this.clock = clock;
    }

    public DeviceRecord revoke(String deviceId, String reason) {
        String cleanReason = sanitize(reason);
        DeviceRecord current = devices.find(deviceId)
                .orElseThrow(() -> new ProtocolException(ErrorCode.UNKNOWN_DEVICE, "no device with this id is enrolled"));
        if (current.status() == DeviceStatus.REVOKED) {
            return current;
        }
        Instant now = clock.instant();
        DeviceRecord revoked = devices.revoke(deviceId, cleanReason, now)
                .orElseThrow(() -> new ProtocolException(ErrorCode.DEVICE_NOT_ACTIVE,
                        "device is " + devices.find(deviceId).map(DeviceRecord::status).orElse(null) + "; nothing to revoke"));
        long ended = sessions.endAll(deviceId, SessionRecord.ENDED_BY_REVOCATION, now);
        audit.record(AuditEvent.success("KEY_REVOKED", deviceId,
                "revoked by operator" + (cleanReason.isEmpty() ? "" : " (" + cleanReason + ")") + "; " + ended + " session(s) ended"));
        return revoked;
    }

    /** Operator text ends up in the audit trail: printable characters only, bounded. */
    static String sanitize(String reason) {
        if (reason == null) {
            return "";
        }
        String printable = reason.replaceAll("[^\\p{L}\\p{N}\\p{P}\\p{Zs}]", " ").strip();
        return printable.length() > MAX_REASON_LENGTH ? printable.substring(0, MAX_REASON_LENGTH) : printable;
    }
}
