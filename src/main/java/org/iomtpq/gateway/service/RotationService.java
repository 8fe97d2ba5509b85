package org.iomtpq.gateway.service;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.iomtpq.gateway.audit.AuditEvent;
import org.iomtpq.gateway.crypto.MlDsaPublicKey;
import org.iomtpq.gateway.protocol.DeviceStatus;
import org.iomtpq.gateway.protocol.ErrorCode;
import org.iomtpq.gateway.protocol.Hex0x;
import org.iomtpq.gateway.protocol.MessageCodec;
import org.iomtpq.gateway.protocol.ProtocolException;
import org.iomtpq.gateway.protocol.RotateMessage;
import org.iomtpq.gateway.protocol.RotationMessage;
import org.iomtpq.gateway.protocol.RotationVerifier;
import org.iomtpq.gateway.protocol.SignedPayloads;
import org.iomtpq.gateway.store.DeviceRecord;
import org.iomtpq.gateway.store.DeviceRepository;
import org.iomtpq.gateway.store.OutboxEntry;
import org.iomtpq.gateway.store.OutboxRepository;
import org.iomtpq.gateway.store.SessionRepository;

/**
 * Device-initiated key rotation (PROTOCOL.md §5a). Without a chain ({@code registry.mode=none}) the rotation takes
 * effect at once: the record switches to the new keys, every session of the device ends, audit {@code KEY_ROTATED}.
 * With a chain it is submitted first and takes effect when mined ({@link OutboxRelay}).
 */
public final class RotationService {

    /** The answer, and the outbox entry whose transaction it may name once signed (null when nothing was submitted). */
    public record Outcome(RotationMessage rotation, String outboxEntryId) {
        Outcome(RotationMessage rotation) {
            this(rotation, null);
        }
    }

    private final DeviceRepository devices;
    private final SessionRepository sessions;
    private final AuditTrail audit;
    private final RegistryMode registryMode;
    private final OutboxRepository outbox;
    private final Clock clock;

    public RotationService(DeviceRepository devices, SessionRepository sessions, AuditTrail audit, RegistryMode registryMode,
                           OutboxRepository outbox, Clock clock) {
        this.devices = devices;
        this.sessions = sessions;
        this.audit = audit;
        this.registryMode = registryMode;
        this.outbox = outbox;
        this.clock = clock;
    }

    public Outcome rotate(byte[] raw, RequestContext ctx) {
        RotateMessage m = MessageCodec.parseRotate(raw);
        ctx.bodyDeviceId(m.deviceId());
        String messageHash = Digests.messageHash(raw);
        Optional<DeviceRecord> found = devices.find(m.deviceId());
        if (ctx.identicalRepeatsAreRedeliveries() && found.isPresent() && messageHash.equals(found.get().rotateMessageHash())
                && found.get().status() == DeviceStatus.ACTIVE) {
            // QoS 1 repeat of the rotation that produced the keys in force: answered as the original was, and
            // whatever an interrupted first attempt left undone (ending the old keys' sessions) is done now.
            DeviceRecord current = found.get();
            if (current.pendingKeyCommitment() != null) {
                return new Outcome(new RotationMessage(m.deviceId(), DeviceStatus.PENDING_CHAIN.name(),
                        current.pendingKeyCommitment(), current.txHash()));
            }
            sessions.endAllOfOtherKeys(m.deviceId(), current.keyCommitment(), clock.instant());
            return new Outcome(new RotationMessage(m.deviceId(), DeviceStatus.ACTIVE.name(), current.keyCommitment(),
                    current.txHash()));
        }
        Instant now = clock.instant();
        var newKeys = RotationVerifier.checkTimestampAndKeys(m, now);
        if (found.isPresent() && (found.get().hadKey(Digests.keyHash(m.kemPublicKey()))
                || found.get().hadKey(Digests.keyHash(m.sigPublicKey())))) {
            throw ProtocolException.invalidKey("the device had one of these keys before; rotate to fresh keys");
        }
        DeviceRecord device = DeviceChecks.requireActive(found);
        if (device.pendingKeyCommitment() != null) {
            throw new ProtocolException(ErrorCode.DEVICE_NOT_ACTIVE, "a rotation is already pending");
        }
        byte[] currentCommitment = Hex0x.decode32(device.keyCommitment());
        RotationVerifier.verifySignatures(m, newKeys, MlDsaPublicKey.fromBytes(device.sigPublicKey()), currentCommitment);
        String newCommitment = Hex0x.encode(SignedPayloads.keyCommitment(m.kemPublicKey(), m.sigPublicKey()));
        List<String> newKeyHashes = List.of(Digests.keyHash(m.kemPublicKey()), Digests.keyHash(m.sigPublicKey()));
        if (registryMode == RegistryMode.CHAIN) {
            return beginOnChain(m, device, newCommitment, newKeyHashes, messageHash, now);
        }
        boolean switched = devices.rotate(m.deviceId(), device.keyCommitment(), m.kemPublicKey(), m.sigPublicKey(),
                newCommitment, newKeyHashes, messageHash, now);
        if (!switched) {
            DeviceChecks.requireActive(devices.find(m.deviceId())); // revoked meanwhile: DEVICE_REVOKED
            throw new ProtocolException(ErrorCode.DEVICE_NOT_ACTIVE, "the device's keys changed meanwhile");
        }
        long ended = sessions.endAllOfOtherKeys(m.deviceId(), newCommitment, now);
        audit.record(AuditEvent.success("KEY_ROTATED", m.deviceId(),
                "keys rotated to commitment " + newCommitment + "; " + ended + " session(s) ended"));
        return new Outcome(new RotationMessage(m.deviceId(), DeviceStatus.ACTIVE.name(), newCommitment, null));
    }

    /**
     * Chain mode (§5a): the record keeps its keys and gains {@code pendingKeyCommitment}; {@code rotateDeviceKey} goes out
     * through the outbox, and the relay switches the keys when it is mined.
     */
    private Outcome beginOnChain(RotateMessage m, DeviceRecord device, String newCommitment, List<String> newKeyHashes,
                                 String messageHash, Instant now) {
        OutboxEntry entry = OutboxEntry.pending(OutboxEntry.Op.ROTATE, m.deviceId(), device.deviceIdHash(), newCommitment,
                m.kemPublicKey(), m.sigPublicKey(), now);
        outbox.add(entry);
        if (!devices.beginRotation(m.deviceId(), device.keyCommitment(), newCommitment, newKeyHashes, messageHash, now)) {
            DeviceChecks.requireActive(devices.find(m.deviceId()));
            throw new ProtocolException(ErrorCode.DEVICE_NOT_ACTIVE, "a rotation is already pending or the keys changed meanwhile");
        }
        audit.record(AuditEvent.success("KEY_ROTATION_REQUESTED", m.deviceId(),
                "rotation to commitment " + newCommitment + " submitted to the registry"));
        return new Outcome(new RotationMessage(m.deviceId(), DeviceStatus.PENDING_CHAIN.name(), newCommitment, null),
                entry.id());
    }
}
