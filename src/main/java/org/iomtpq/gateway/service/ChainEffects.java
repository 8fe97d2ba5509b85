package org.iomtpq.gateway.service;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.iomtpq.gateway.audit.AuditEvent;
import org.iomtpq.gateway.protocol.DeviceStatus;
import org.iomtpq.gateway.protocol.EnrolledMessage;
import org.iomtpq.gateway.protocol.ErrorCode;
import org.iomtpq.gateway.protocol.ErrorMessage;
import org.iomtpq.gateway.protocol.MessageCodec;
import org.iomtpq.gateway.protocol.RotationMessage;
import org.iomtpq.gateway.protocol.Step;
import org.iomtpq.gateway.store.DeviceRecord;
import org.iomtpq.gateway.store.DeviceRepository;
import org.iomtpq.gateway.store.OutboxEntry;
import org.iomtpq.gateway.store.SessionRepository;

/**
 * What the registry's answers mean for local state (PROTOCOL.md §4, §5a, §7): a mined registration makes the device
 * ACTIVE, a mined rotation switches its keys and ends its old sessions, a revert marks REGISTRATION_FAILED or drops
 * the pending rotation. Every effect is conditional on the record still being in the state it expects, so applying
 * one twice (relay and event consumer both see the same block) changes nothing the second time.
 */
public final class ChainEffects implements OutboxEffects {

    private final DeviceRepository devices;
    private final SessionRepository sessions;
    private final OnChainKeys onChain;
    private final AuditTrail audit;
    private final AuditAnchors anchors;
    private final Clock clock;

    public ChainEffects(DeviceRepository devices, SessionRepository sessions, OnChainKeys onChain, AuditTrail audit,
                        AuditAnchors anchors, Clock clock) {
        this.devices = devices;
        this.sessions = sessions;
        this.onChain = onChain;
        this.audit = audit;
        this.anchors = anchors;
        this.clock = clock;
    }

    @Override
    public Optional<String> reasonToSkip(OutboxEntry e) {
        Optional<DeviceRecord> device = devices.find(e.deviceId());
        return switch (e.op()) {
            case REGISTER -> device.filter(d -> d.status() == DeviceStatus.PENDING_CHAIN && e.commitment().equals(d.keyCommitment()))
                    .isPresent() ? Optional.empty() : Optional.of("the device is no longer waiting for this registration");
            case ROTATE -> device.filter(d -> e.commitment().equals(d.pendingKeyCommitment())).isPresent()
                    ? Optional.empty() : Optional.of("the rotation is no longer pending");
            case DEACTIVATE, ANCHOR -> Optional.empty();
            case REGISTER_BATCH -> throw notADeviceOperation();
        };
    }

    /** The chain already says what the operation would make it say (another instance sent it, or a lost receipt). */
    @Override
    public boolean alreadyOnChain(OutboxEntry e) {
        if (e.op() == OutboxEntry.Op.ANCHOR) {
            return anchors.lastAnchoredSeq(e.deviceId()) >= e.lastSeq();
        }
        onChain.invalidate(e.deviceIdHash());
        OnChainKeys.OnChainKey key = onChain.get(e.deviceIdHash());
        return switch (e.op()) {
            case REGISTER, ROTATE -> key.active() && key.commitment().equals(e.commitment());
            case DEACTIVATE -> !key.active();
            case ANCHOR -> throw new IllegalStateException("handled above");
            case REGISTER_BATCH -> throw notADeviceOperation();
        };
    }

    @Override
    public void submitted(OutboxEntry e, String txHash) {
        if (e.op() == OutboxEntry.Op.ANCHOR) {
            return;
        }
        if (e.op() == OutboxEntry.Op.DEACTIVATE) {
            devices.setRevocationTxHash(e.deviceId(), e.commitment(), txHash);
        } else {
            devices.setTxHash(e.deviceId(), e.commitment(), txHash);
        }
    }

    /** The operation is on chain ({@code txHash} null when another party put it there). */
    @Override
    public List<DeviceNotification> confirmed(OutboxEntry e, String txHash) {
        if (e.op() == OutboxEntry.Op.ANCHOR) {
            audit.record(AuditEvent.success("AUDIT_ANCHORED", null, "entries " + e.firstSeq() + ".." + e.lastSeq()
                    + " anchored with Merkle root " + e.commitment() + (txHash == null ? " (already on chain)" : " in " + txHash)));
            return List.of();
        }
        onChain.invalidate(e.deviceIdHash());
        Instant now = clock.instant();
        return switch (e.op()) {
            case REGISTER -> registered(e.deviceId(), e.commitment(), txHash, now);
            case ROTATE -> rotated(e, txHash, now);
            case DEACTIVATE -> {
                audit.record(AuditEvent.success("KEY_DEACTIVATED_ON_CHAIN", e.deviceId(),
                        txHash == null ? "no active key on chain" : "deactivateKey mined in " + txHash));
                yield List.of();
            }
            case ANCHOR -> throw new IllegalStateException("handled above");
            case REGISTER_BATCH -> throw notADeviceOperation();
        };
    }

    /** A registration of exactly this commitment is on chain: PENDING_CHAIN → ACTIVE, and over MQTT a second enrolled. */
    public List<DeviceNotification> registered(String deviceId, String commitment, String txHash, Instant now) {
        if (!devices.activate(deviceId, commitment, now)) {
            return List.of();
        }
        audit.record(AuditEvent.success("KEY_REGISTERED_ON_CHAIN", deviceId,
                "commitment " + commitment + (txHash == null ? " found on chain" : " registered in " + txHash)));
        DeviceRecord d = devices.find(deviceId).orElseThrow();
        return List.of(new DeviceNotification(deviceId, MessageCodec.toJson(new EnrolledMessage(deviceId,
                DeviceStatus.ACTIVE.name(), d.deviceIdHash(), d.keyCommitment(), d.txHash()))));
    }

    /**
     * The registry holds the new keys: every session on other keys ends (§5a) — first, because once the record names
     * the new keys (the registration endpoint shows it) no old session may still be accepted; and again after the
     * switch, for a handshake on the old keys that completed in between.
     */
    private List<DeviceNotification> rotated(OutboxEntry e, String txHash, Instant now) {
        long ended = sessions.endAllOfOtherKeys(e.deviceId(), e.commitment(), now);
        if (!devices.completeRotation(e.deviceId(), e.commitment(), e.kemPublicKey(), e.sigPublicKey(), now)) {
            return List.of();
        }
        ended += sessions.endAllOfOtherKeys(e.deviceId(), e.commitment(), now);
        audit.record(AuditEvent.success("KEY_ROTATED", e.deviceId(), "keys rotated to commitment " + e.commitment()
                + (txHash == null ? "" : " in " + txHash) + "; " + ended + " session(s) ended"));
        return List.of(new DeviceNotification(e.deviceId(), MessageCodec.toJson(
                new RotationMessage(e.deviceId(), DeviceStatus.ACTIVE.name(), e.commitment(), txHash))));
    }

    /**
     * A reverted transaction does not mean the operation failed: another transaction may have done it first (another
     * instance's relay while the relay lease changed hands, another gateway enrolling the same keys), and the registry
     * then refuses this one (DeviceAlreadyActive, CommitmentAlreadyUsed). What the registry holds decides; when it
     * cannot be read, the revert is taken as it is.
     */
    @Override
    public List<DeviceNotification> reverted(OutboxEntry e, String reason) {
        if (e.op() != OutboxEntry.Op.REGISTER_BATCH && doneByAnotherTransaction(e)) {
            return confirmed(e, null);
        }
        onChain.invalidate(e.deviceIdHash());
        Instant now = clock.instant();
        return switch (e.op()) {
            case REGISTER -> {
                if (devices.registrationFailed(e.deviceId(), e.commitment(), now)) {
                    audit.record(AuditEvent.rejected("REGISTRATION_FAILED", e.deviceId(), "registration reverted: " + reason));
                }
                yield List.of();
            }
            case ROTATE -> rotationDropped(e, "rotation reverted: " + reason, now);
            case DEACTIVATE -> {
                audit.record(AuditEvent.rejected("KEY_DEACTIVATED_ON_CHAIN", e.deviceId(),
                        "deactivateKey reverted (" + reason + "); the device stays revoked here"));
                yield List.of();
            }
            case ANCHOR -> throw new IllegalStateException("handled above");
            case REGISTER_BATCH -> throw notADeviceOperation();
        };
    }

    private boolean doneByAnotherTransaction(OutboxEntry e) {
        try {
            return alreadyOnChain(e);
        } catch (RuntimeException unreadable) { // the node is unreachable (UNAVAILABLE): the revert stands
            return false;
        }
    }

    @Override
    public List<DeviceNotification> cancelled(OutboxEntry e) {
        return e.op() == OutboxEntry.Op.ROTATE ? rotationDropped(e, "rotation dropped: the device was revoked first", clock.instant())
                : List.of();
    }

    /** §5a: pendingKeyCommitment back to null, audit KEY_ROTATED REJECTED, over MQTT an UNAVAILABLE error for rotate. */
    private List<DeviceNotification> rotationDropped(OutboxEntry e, String why, Instant now) {
        devices.abandonRotation(e.deviceId(), e.commitment(), now);
        audit.record(AuditEvent.rejected("KEY_ROTATED", e.deviceId(), why));
        return List.of(new DeviceNotification(e.deviceId(), MessageCodec.toJson(new ErrorMessage(ErrorCode.UNAVAILABLE,
                "the key rotation did not take effect; the current keys stay", Step.ROTATE.wire(), null))));
    }

    /** The relay hands a batch's registrations over one by one; a batch itself has no local effect. */
    private static IllegalStateException notADeviceOperation() {
        return new IllegalStateException("a registration batch is a transaction, not a device operation");
    }
}
