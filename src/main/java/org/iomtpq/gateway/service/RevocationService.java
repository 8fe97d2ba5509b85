package org.iomtpq.gateway.service;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

import org.iomtpq.gateway.audit.AuditEvent;
import org.iomtpq.gateway.protocol.DeviceStatus;
import org.iomtpq.gateway.protocol.ErrorCode;
import org.iomtpq.gateway.protocol.ProtocolException;
import org.iomtpq.gateway.store.DeviceRecord;
import org.iomtpq.gateway.store.DeviceRepository;
import org.iomtpq.gateway.store.OutboxEntry;
import org.iomtpq.gateway.store.OutboxRepository;
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
    private final RegistryMode registryMode;
    private final OutboxRepository outbox;
    private final Clock clock;

    public RevocationService(DeviceRepository devices, SessionRepository sessions, AuditTrail audit,
                             RegistryMode registryMode, OutboxRepository outbox, Clock clock) {
        this.devices = devices;
        this.sessions = sessions;
        this.audit = audit;
        this.registryMode = registryMode;
        this.outbox = outbox;
        this.clock = clock;
    }

    public DeviceRecord revoke(String deviceId, String reason) {
        String cleanReason = sanitize(reason);
        DeviceRecord current = devices.find(deviceId)
                .orElseThrow(() -> new ProtocolException(ErrorCode.UNKNOWN_DEVICE, "no device with this id is enrolled"));
        Instant now = clock.instant();
        if (current.status() == DeviceStatus.REVOKED) {
            return completeEarlierRevocation(current, now);
        }
        Optional<DeviceRecord> revoked = devices.revoke(deviceId, cleanReason, now);
        if (revoked.isEmpty()) {
            DeviceRecord meanwhile = devices.find(deviceId).orElseThrow();
            if (meanwhile.status() == DeviceStatus.REVOKED) {
                return completeEarlierRevocation(meanwhile, now); // a concurrent revocation won
            }
            throw new ProtocolException(ErrorCode.DEVICE_NOT_ACTIVE, "device is " + meanwhile.status() + "; nothing to revoke");
        }
        if (registryMode == RegistryMode.CHAIN) {
            // The keys revoked, not the ones read above: a rotation may have completed in between.
            outbox.add(OutboxEntry.pending(OutboxEntry.Op.DEACTIVATE, deviceId, current.deviceIdHash(),
                    revoked.get().keyCommitment(), null, null, now));
        }
        long ended = sessions.endAllForRevocation(deviceId, now);
        audit.record(AuditEvent.success("KEY_REVOKED", deviceId,
                "revoked by operator" + (cleanReason.isEmpty() ? "" : " (" + cleanReason + ")") + "; " + ended + " session(s) ended"));
        return revoked.get();
    }

    /**
     * PROTOCOL.md §7: a KeyDeactivated event seen on chain, from any gateway, has the same local effect as a revocation
     * here. Idempotent (the event may be seen again after a restart). Only {@code device}'s enrollment is revoked: the
     * caller decided on it, and the device may have been enrolled again since.
     */
    public void revokedOnChain(DeviceRecord device, String byGateway, String txHash) {
        Instant now = clock.instant();
        Optional<DeviceRecord> revoked = devices.revokeEnrollment(device.deviceId(), device.enrollMessageHash(),
                "deactivated on chain by " + byGateway, now);
        if (revoked.isEmpty()) {
            return;
        }
        devices.setRevocationTxHash(device.deviceId(), revoked.get().keyCommitment(), txHash);
        long ended = sessions.endAllForRevocation(device.deviceId(), now);
        audit.record(AuditEvent.success("KEY_REVOKED", device.deviceId(),
                "deactivated on chain by gateway " + byGateway + " in " + txHash + "; " + ended + " session(s) ended"));
    }

    /**
     * Revoking a revoked device answers the same record, and finishes what an interrupted revocation left undone:
     * ending sessions is idempotent, and is audited only if it still ended some.
     */
    private DeviceRecord completeEarlierRevocation(DeviceRecord revoked, Instant now) {
        long ended = sessions.endAllForRevocation(revoked.deviceId(), now);
        if (ended > 0) {
            audit.record(AuditEvent.success("KEY_REVOKED", revoked.deviceId(),
                    "revocation completed; " + ended + " session(s) ended"));
        }
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
