package org.iomtpq.gateway.service;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import org.iomtpq.gateway.audit.AuditEvent;
import org.iomtpq.gateway.crypto.InvalidKeyMaterialException;
import org.iomtpq.gateway.crypto.MlKemPublicKey;
import org.iomtpq.gateway.crypto.SecretBytes;
import org.iomtpq.gateway.protocol.Base64s;
import org.iomtpq.gateway.protocol.ErrorCode;
import org.iomtpq.gateway.protocol.EstablishedMessage;
import org.iomtpq.gateway.protocol.FinishedMessage;
import org.iomtpq.gateway.protocol.GatewayHandshake;
import org.iomtpq.gateway.protocol.HelloMessage;
import org.iomtpq.gateway.protocol.Limits;
import org.iomtpq.gateway.protocol.MessageCodec;
import org.iomtpq.gateway.protocol.PendingHandshake;
import org.iomtpq.gateway.protocol.ProtocolException;
import org.iomtpq.gateway.protocol.ServerHelloMessage;
import org.iomtpq.gateway.protocol.SessionState;
import org.iomtpq.gateway.protocol.Timestamps;
import org.iomtpq.gateway.store.DeviceRecord;
import org.iomtpq.gateway.store.DeviceRepository;
import org.iomtpq.gateway.store.SessionRecord;
import org.iomtpq.gateway.store.SessionRepository;

/**
 * The gateway's side of the mutual KEM handshake (PROTOCOL.md §5). The pending handshake lives in MongoDB (keys
 * wrapped), so any instance may receive the {@code finished}. Rejections are audited by the error mapper
 * ({@code AUTH_FAILED}); this class audits successes.
 */
public final class HandshakeService {

    private final GatewayIdentity identity;
    private final DeviceRepository devices;
    private final SessionRepository sessions;
    private final SessionKeyVault sessionKeys;
    private final AuditTrail audit;
    private final Clock clock;
    private final SecureRandom random;
    private final Duration sessionTtl;
    private final long maxMessages;
    private final CommitmentCheck commitmentCheck;

    /** {@code commitmentCheck} null: no chain ({@code registry.mode=none}), the check is skipped (PROTOCOL.md §2). */
    public HandshakeService(GatewayIdentity identity, DeviceRepository devices, SessionRepository sessions,
                            SessionKeyVault sessionKeys, AuditTrail audit, Clock clock, SecureRandom random,
                            Duration sessionTtl, long maxMessages, CommitmentCheck commitmentCheck) {
        if (maxMessages < 1 || maxMessages > Limits.MAX_MESSAGES_CAP) {
            throw new IllegalStateException("iomt.session.max-messages must be between 1 and 2^53-1");
        }
        this.identity = identity;
        this.devices = devices;
        this.sessions = sessions;
        this.sessionKeys = sessionKeys;
        this.audit = audit;
        this.clock = clock;
        this.random = random;
        this.sessionTtl = sessionTtl;
        this.maxMessages = maxMessages;
        this.commitmentCheck = commitmentCheck;
    }

    public ServerHelloMessage hello(byte[] raw, RequestContext ctx) {
        HelloMessage hello = MessageCodec.parseHello(raw);
        ctx.bodyDeviceId(hello.deviceId());
        if (!identity.gatewayId().equals(hello.gatewayId())) {
            throw ProtocolException.malformed("gatewayId is not this gateway's");
        }
        DeviceRecord device = DeviceChecks.requireActive(devices.find(hello.deviceId()));
        if (commitmentCheck != null) {
            device = commitmentCheck.verify(device);
        }
        MlKemPublicKey deviceKem = storedKemKey(device);
        Instant now = clock.instant();
        PendingHandshake pending = GatewayHandshake.respond(hello, identity.gatewayId(), identity.keyPair(), deviceKem,
                now, sessionTtl, maxMessages, random);
        String sessionId = Base64s.encode(pending.sessionId());
        try {
            sessions.insertPending(new SessionRecord(sessionId, hello.deviceId(), device.keyCommitment(), identity.gatewayId(),
                    SessionState.ENCAPSULATED, now, now.plus(Limits.PENDING_HANDSHAKE_TTL), pending.expiresAt(),
                    Timestamps.parse(pending.expiresAt()), pending.maxMessages(), pending.transcriptHash(),
                    sessionKeys.wrap(sessionId, SessionKeyVault.DEVICE_FINISHED, pending.keys().deviceFinished()),
                    sessionKeys.wrap(sessionId, SessionKeyVault.DEVICE_TO_GATEWAY, pending.keys().deviceToGateway()),
                    sessionKeys.wrap(sessionId, SessionKeyVault.GATEWAY_TO_DEVICE, pending.keys().gatewayToDevice()),
                    null, 0));
        } finally {
            pending.keys().destroy();
        }
        return pending.serverHello();
    }

    public EstablishedMessage finished(byte[] raw, RequestContext ctx) {
        FinishedMessage finished = MessageCodec.parseFinished(raw);
        ctx.bodyDeviceId(finished.deviceId());
        String sessionId = Base64s.encode(finished.sessionId());
        Instant now = clock.instant();
        SessionRecord session = sessions.find(sessionId)
                .filter(s -> s.deviceId().equals(finished.deviceId()))
                .orElseThrow(() -> ProtocolException.handshakeFailed("no pending handshake with this sessionId"));
        if (session.state() != SessionState.ENCAPSULATED || session.finishedKeyWrapped() == null) {
            throw ProtocolException.handshakeFailed("no pending handshake with this sessionId");
        }
        if (!now.isBefore(session.handshakeDeadline()) || session.endedReason() != null) {
            sessions.fail(sessionId);
            throw ProtocolException.handshakeFailed("the pending handshake expired");
        }
        SecretBytes finishedKey = sessionKeys.unwrap(sessionId, SessionKeyVault.DEVICE_FINISHED, session.finishedKeyWrapped());
        boolean valid;
        try {
            valid = GatewayHandshake.finishedMacValid(session.transcriptHash(), finishedKey, finished.mac());
        } finally {
            finishedKey.destroy();
        }
        if (!valid) {
            sessions.fail(sessionId);
            throw ProtocolException.handshakeFailed("finished MAC does not verify");
        }
        // Revoked, or rotated to other keys, while the handshake was pending: the keys it proved are not in force.
        DeviceRecord device = DeviceChecks.requireActive(devices.find(finished.deviceId()));
        if (!device.keyCommitment().equals(session.keyCommitment()) || !sessions.authenticate(session, now)) {
            sessions.fail(sessionId);
            throw ProtocolException.handshakeFailed("the pending handshake was already used, expired or its keys changed");
        }
        audit.record(AuditEvent.success("AUTHENTICATED", finished.deviceId(), "mutual ML-KEM-768 handshake completed"));
        return new EstablishedMessage(finished.deviceId(), finished.sessionId());
    }

    private static MlKemPublicKey storedKemKey(DeviceRecord device) {
        try {
            return MlKemPublicKey.fromBytes(device.kemPublicKey());
        } catch (InvalidKeyMaterialException e) {
            // Only a tampered record can hold a key that failed the checks at enrollment.
            throw new ProtocolException(ErrorCode.DEVICE_REVOKED, "the stored device key is not valid");
        }
    }
}
