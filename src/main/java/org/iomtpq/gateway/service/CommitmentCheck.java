package org.iomtpq.gateway.service;

import org.iomtpq.gateway.audit.AuditEvent;
import org.iomtpq.gateway.protocol.ErrorCode;
import org.iomtpq.gateway.protocol.Hex0x;
import org.iomtpq.gateway.protocol.ProtocolException;
import org.iomtpq.gateway.protocol.SignedPayloads;
import org.iomtpq.gateway.store.DeviceRecord;
import org.iomtpq.gateway.store.DeviceRepository;
import org.iomtpq.gateway.store.OutboxEntry;
import org.iomtpq.gateway.store.OutboxRepository;

/**
 * PROTOCOL.md §5 step 2 with a chain: the keys in the database must be the ones the registry holds as active. The
 * commitment is recomputed from the stored keys (not read from the stored commitment field), so a key swapped in
 * MongoDB is caught: DEVICE_REVOKED, audited as KEY_MISMATCH. A rotation that is already on chain is completed first,
 * and its second {@code rotation} ACTIVE (§5a) queued for the device.
 */
public final class CommitmentCheck {

    private final OnChainKeys onChain;
    private final DeviceRepository devices;
    private final OutboxRepository outbox;
    private final ChainEffects effects;
    private final AuditTrail audit;
    private final DeviceNotificationQueue notifications;

    public CommitmentCheck(OnChainKeys onChain, DeviceRepository devices, OutboxRepository outbox, ChainEffects effects,
                           AuditTrail audit, DeviceNotificationQueue notifications) {
        this.notifications = notifications;
        this.onChain = onChain;
        this.devices = devices;
        this.outbox = outbox;
        this.effects = effects;
        this.audit = audit;
    }

    /** Returns the device as it stands after the check (its keys may just have been rotated). */
    public DeviceRecord verify(DeviceRecord device) {
        OnChainKeys.OnChainKey key = onChain.get(device.deviceIdHash());
        if (key.active() && key.commitment().equals(device.pendingKeyCommitment())) {
            outbox.find(OutboxEntry.pending(OutboxEntry.Op.ROTATE, device.deviceId(), device.deviceIdHash(),
                            device.pendingKeyCommitment(), null, null, java.time.Instant.EPOCH).id())
                    .ifPresent(rotation -> notifications.add(effects.confirmed(rotation, rotation.txHash())));
            device = devices.find(device.deviceId()).orElse(device);
        }
        String stored = Hex0x.encode(SignedPayloads.keyCommitment(device.kemPublicKey(), device.sigPublicKey()));
        if (!key.active() || !key.commitment().equals(stored)) {
            audit.record(AuditEvent.rejected("KEY_MISMATCH", device.deviceId(), key.active()
                    ? "stored keys do not match the active on-chain commitment" : "no active key on chain for this device"));
            throw new ProtocolException(ErrorCode.DEVICE_REVOKED, "device keys are not registered as active");
        }
        return device;
    }
}
