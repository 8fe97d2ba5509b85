package org.iomtpq.gateway.service;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

import org.iomtpq.gateway.crypto.SecretBytes;
import org.iomtpq.gateway.protocol.Base64s;
import org.iomtpq.gateway.protocol.DeviceStatus;
import org.iomtpq.gateway.protocol.ErrorCode;
import org.iomtpq.gateway.protocol.MessageCodec;
import org.iomtpq.gateway.protocol.ProtocolException;
import org.iomtpq.gateway.protocol.ReplayWindow;
import org.iomtpq.gateway.protocol.SessionState;
import org.iomtpq.gateway.protocol.TelemetryCrypto;
import org.iomtpq.gateway.protocol.TelemetryMessage;
import org.iomtpq.gateway.protocol.Timestamps;
import org.iomtpq.gateway.protocol.ValidatedReading;
import org.iomtpq.gateway.protocol.Vitals;
import org.iomtpq.gateway.store.DeviceRepository;
import org.iomtpq.gateway.store.ObservationRecord;
import org.iomtpq.gateway.store.ObservationRepository;
import org.iomtpq.gateway.store.SessionRecord;
import org.iomtpq.gateway.store.SessionRepository;

/**
 * Telemetry (PROTOCOL.md §6): the checks in the spec's order, ending in a decrypted, validated observation ready
 * to store. Storing is the route's job (camel-mongodb); the unique {@code (sessionId, seq)} index makes the final
 * replay decision across instances, so a seq is "seen" only once it is stored.
 */
public final class TelemetryService {

    /** {@code observation} empty: a byte-identical QoS 1 repeat of a stored message, answered with nothing. */
    public record Accepted(long seq, Optional<ObservationRecord> observation) {
    }

    private final String gatewayId;
    private final SessionRepository sessions;
    private final DeviceRepository devices;
    private final ObservationRepository observations;
    private final SessionKeyVault sessionKeys;
    private final Clock clock;

    public TelemetryService(String gatewayId, SessionRepository sessions, DeviceRepository devices,
                            ObservationRepository observations, SessionKeyVault sessionKeys, Clock clock) {
        this.gatewayId = gatewayId;
        this.sessions = sessions;
        this.devices = devices;
        this.observations = observations;
        this.sessionKeys = sessionKeys;
        this.clock = clock;
    }

    public Accepted accept(byte[] raw, RequestContext ctx) {
        TelemetryMessage t = MessageCodec.parseTelemetry(raw);
        ctx.bodyDeviceId(t.deviceId());
        ctx.seq(t.seq());
        try {
            return check(raw, t, ctx);
        } catch (ProtocolException e) {
            throw e.seq() == null ? e.withSeq(t.seq()) : e;
        }
    }

    private boolean isStoredRepeat(String sessionId, long seq, String payloadHash) {
        return observations.storedPayloadHash(sessionId, seq).map(payloadHash::equals).orElse(false);
    }

    private Accepted check(byte[] raw, TelemetryMessage t, RequestContext ctx) {
        String sessionId = Base64s.encode(t.sessionId());
        String payloadHash = Digests.messageHash(raw);
        if (ctx.transport() == Transport.MQTT && isStoredRepeat(sessionId, t.seq(), payloadHash)) {
            // A QoS 1 redelivery of a stored message is answered as the original was (nothing), even if the
            // session has ended since: the broker may redeliver after a gateway restart.
            return new Accepted(t.seq(), Optional.empty());
        }
        SessionRecord session = sessions.find(sessionId)
                .filter(s -> s.deviceId().equals(t.deviceId()) && s.state() == SessionState.AUTHENTICATED)
                .orElseThrow(() -> new ProtocolException(ErrorCode.UNKNOWN_SESSION, "no established session with this id"));
        Instant now = clock.instant();
        boolean expired = !now.isBefore(session.expiresAtInstant());
        // The device's own status too, not only the session's mark: a revocation interrupted between the two
        // writes must still shut the device out.
        boolean revoked = SessionRecord.ENDED_BY_REVOCATION.equals(session.endedReason())
                || devices.find(t.deviceId()).map(d -> d.status() == DeviceStatus.REVOKED).orElse(true);
        if (revoked && !expired) {
            throw new ProtocolException(ErrorCode.DEVICE_REVOKED, "device is revoked");
        }
        if (expired || session.endedReason() != null || t.seq() > session.maxMessages()) {
            sessionKeys.forget(sessionId);
            throw new ProtocolException(ErrorCode.SESSION_EXPIRED, "session is over; run a new handshake");
        }
        if (observations.storedPayloadHash(sessionId, t.seq()).isPresent()) {
            throw new ProtocolException(ErrorCode.REPLAY, "seq " + t.seq() + " was already received");
        }
        ReplayWindow.check(t.seq(), observations.highestSeq(sessionId), false);
        SecretBytes key = sessionKeys.deviceToGateway(sessionId, session.deviceToGatewayKeyWrapped());
        byte[] plaintext = TelemetryCrypto.open(key, t);
        ValidatedReading reading = Vitals.parse(plaintext);
        java.util.Arrays.fill(plaintext, (byte) 0);
        return new Accepted(t.seq(), Optional.of(new ObservationRecord(sessionId, t.seq(), t.deviceId(), gatewayId,
                reading.observedAt(), Timestamps.format(now), reading.vitals(), reading.quality(), payloadHash)));
    }
}
