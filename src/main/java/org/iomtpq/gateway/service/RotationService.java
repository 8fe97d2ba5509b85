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
import org.iomtpq.gateway.store.SessionRepository;

/**
 * Device-initiated key rotation (PROTOCOL.md §5a). Without a chain ({@code registry.mode=none}) the rotation takes
 * effect at once: the record switches to the new keys, every session of the device ends, audit {@code KEY_ROTATED}.
 */
public final class RotationService {

    private final DeviceRepository devices;
    private final SessionRepository sessions;
    private final AuditTrail audit;
    private final Clock clock;

    public RotationService(DeviceRepository devices, SessionRepository sessions, AuditTrail audit, Clock clock) {
        this.devices = devices;
        this.sessions = sessions;
        this.audit = audit;
        this.clock = clock;
    }

    public RotationMessage rotate(byte[] raw, RequestContext ctx) {
        RotateMessage m = MessageCodec.parseRotate(raw);
        ctx.bodyDeviceId(m.deviceId());
        String messageHash = Digests.messageHash(raw);
        Optional<DeviceRecord> found = devices.find(m.deviceId());
        if (ctx.transport() == Transport.MQTT && found.isPresent() && messageHash.equals(found.get().rotateMessageHash())
                && found.get().status() == DeviceStatus.ACTIVE) {
            // QoS 1 repeat of the rotation that produced the keys in force: answered as the original was, and
            // whatever an interrupted first attempt left undone (ending the old keys' sessions) is done now.
            sessions.endAllOfOtherKeys(m.deviceId(), found.get().keyCommitment(), clock.instant());
            return new RotationMessage(m.deviceId(), DeviceStatus.ACTIVE.name(), found.get().keyCommitment(), found.get().txHash());
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
        boolean switched = devices.rotate(m.deviceId(), device.keyCommitment(), m.kemPublicKey(), m.sigPublicKey(),
                newCommitment, List.of(Digests.keyHash(m.kemPublicKey()), Digests.keyHash(m.sigPublicKey())),
                messageHash, now);
        if (!switched) {
            DeviceChecks.requireActive(devices.find(m.deviceId())); // revoked meanwhile: DEVICE_REVOKED
            throw new ProtocolException(ErrorCode.DEVICE_NOT_ACTIVE, "the device's keys changed meanwhile");
        }
        long ended = sessions.endAllOfOtherKeys(m.deviceId(), newCommitment, now);
        audit.record(AuditEvent.success("KEY_ROTATED", m.deviceId(),
                "keys rotated to commitment " + newCommitment + "; " + ended + " session(s) ended"));
        return new RotationMessage(m.deviceId(), DeviceStatus.ACTIVE.name(), newCommitment, null);
    }
}
