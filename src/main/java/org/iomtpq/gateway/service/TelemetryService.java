package org.iomtpq.gateway.service;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

import org.iomtpq.gateway.crypto.SecretBytes;
import org.iomtpq.gateway.protocol.Base64s;
import org.iomtpq.gateway.protocol.ErrorCode;
import org.iomtpq.gateway.protocol.Limits;
import org.iomtpq.gateway.protocol.MessageCodec;
import org.iomtpq.gateway.protocol.ProtocolException;
import org.iomtpq.gateway.protocol.ReplayWindow;
import org.iomtpq.gateway.protocol.SessionState;
import org.iomtpq.gateway.protocol.TelemetryMessage;
import org.iomtpq.gateway.protocol.TelemetryProtection;
import org.iomtpq.gateway.protocol.Timestamps;
import org.iomtpq.gateway.protocol.ValidatedReading;
import org.iomtpq.gateway.protocol.Vitals;
import org.iomtpq.gateway.store.ObservationRecord;
import org.iomtpq.gateway.store.ObservationRepository;
import org.iomtpq.gateway.store.SessionRecord;

/**
 * Telemetry (PROTOCOL.md §6): the checks in the spec's order, ending in a decrypted, validated observation ready
 * to store. The unique {@code (sessionId, seq)} index makes the final replay decision across instances, so a seq is
 * "seen" only once it is stored.
 * <p>
 * Hot path: a message normally costs no read at all. Session, device status and the top of the replay window come
 * from {@link LiveSessions}; whether the seq is already stored is learnt from the insert itself (a duplicate key,
 * see {@link #storedAlready}). The store is asked before that only where the answer could differ: when a check
 * fails, so that a stored seq still answers REPLAY (and an MQTT repeat of a stored message nothing) as §6 orders.
 */
public final class TelemetryService {

    /** {@code observation} empty: a byte-identical QoS 1 repeat of a stored message, answered with nothing. */
    public record Accepted(long seq, Optional<ObservationRecord> observation) {
    }

    private final String gatewayId;
    private final LiveSessions live;
    private final ObservationRepository observations;
    private final SessionKeyVault sessionKeys;
    private final TelemetryProtection protection;
    private final Clock clock;

    public TelemetryService(String gatewayId, LiveSessions live, ObservationRepository observations,
                            SessionKeyVault sessionKeys, TelemetryProtection protection, Clock clock) {
        this.gatewayId = gatewayId;
        this.live = live;
        this.observations = observations;
        this.sessionKeys = sessionKeys;
        this.protection = protection;
        this.clock = clock;
    }

    public Accepted accept(byte[] raw, RequestContext ctx) {
        TelemetryMessage t = MessageCodec.parseTelemetry(raw);
        ctx.bodyDeviceId(t.deviceId());
        ctx.seq(t.seq());
        String sessionId = Base64s.encode(t.sessionId());
        String payloadHash = Digests.messageHash(raw);
        try {
            return check(t, sessionId, payloadHash);
        } catch (ProtocolException e) {
            if (ctx.identicalRepeatsAreRedeliveries() && isStoredRepeat(sessionId, t.seq(), payloadHash)) {
                // A QoS 1 redelivery of a stored message is answered as the original was (nothing), even if the
                // session has ended since: the broker may redeliver after a gateway restart.
                return new Accepted(t.seq(), Optional.empty());
            }
            throw e.seq() == null ? e.withSeq(t.seq()) : e;
        }
    }

    /**
     * The insert found {@code (sessionId, seq)} stored already (a repeat, or a race between two copies): over MQTT a
     * byte-identical repeat is answered as the original was (nothing, returns true); anything else is REPLAY.
     */
    public boolean storedAlready(ObservationRecord o, RequestContext ctx) {
        live.stored(o.sessionId(), o.seq());
        if (ctx.identicalRepeatsAreRedeliveries() && isStoredRepeat(o.sessionId(), o.seq(), o.payloadHash())) {
            return true;
        }
        throw new ProtocolException(ErrorCode.REPLAY, "seq " + o.seq() + " was already received").withSeq(o.seq());
    }

    /**
     * The writer found the seq at or below the window behind the session's top as other instances raised it (§6):
     * REPLAY, unless over MQTT it is a byte-identical repeat of a stored message (then answered as the original was:
     * nothing, returns true).
     */
    public boolean tooOld(ObservationRecord o, RequestContext ctx) {
        if (ctx.identicalRepeatsAreRedeliveries() && isStoredRepeat(o.sessionId(), o.seq(), o.payloadHash())) {
            return true;
        }
        throw new ProtocolException(ErrorCode.REPLAY,
                "seq is older than the replay window of " + Limits.REPLAY_WINDOW + " messages").withSeq(o.seq());
    }

    /** After the observation was stored: raises the top of the session's replay window. */
    public void stored(ObservationRecord o) {
        live.stored(o.sessionId(), o.seq());
    }

    private boolean isStoredRepeat(String sessionId, long seq, String payloadHash) {
        return observations.storedPayloadHash(sessionId, seq).map(payloadHash::equals).orElse(false);
    }

    private Accepted check(TelemetryMessage t, String sessionId, String payloadHash) {
        LiveSessions.Snapshot snapshot = live.snapshot(sessionId)
                .filter(s -> s.session().deviceId().equals(t.deviceId()) && s.session().state() == SessionState.AUTHENTICATED)
                .orElseThrow(() -> new ProtocolException(ErrorCode.UNKNOWN_SESSION, "no established session with this id"));
        SessionRecord session = snapshot.session();
        Instant now = clock.instant();
        boolean expired = !now.isBefore(session.expiresAtInstant());
        // The device's own status too, not only the session's mark: a revocation interrupted between the two
        // writes must still shut the device out.
        boolean revoked = SessionRecord.ENDED_BY_REVOCATION.equals(session.endedReason()) || snapshot.deviceRevoked();
        if (revoked && !expired) {
            throw new ProtocolException(ErrorCode.DEVICE_REVOKED, "device is revoked");
        }
        if (expired || session.endedReason() != null || snapshot.builtOnReplacedKeys() || t.seq() > session.maxMessages()) {
            sessionKeys.forget(sessionId);
            live.forget(sessionId);
            throw new ProtocolException(ErrorCode.SESSION_EXPIRED, "session is over; run a new handshake");
        }
        ValidatedReading reading;
        try {
            ReplayWindow.check(t.seq(), live.highestStored(sessionId), false);
            SecretBytes key = sessionKeys.deviceToGateway(sessionId, session.deviceToGatewayKeyWrapped());
            byte[] plaintext = protection.open(key, t);
            reading = Vitals.parse(plaintext);
            java.util.Arrays.fill(plaintext, (byte) 0);
        } catch (ProtocolException e) {
            // §6 checks "not yet stored" before the tag and the contents: a stored seq answers REPLAY whatever else
            // is wrong with this copy.
            if (e.code() != ErrorCode.REPLAY && observations.storedPayloadHash(sessionId, t.seq()).isPresent()) {
                throw new ProtocolException(ErrorCode.REPLAY, "seq " + t.seq() + " was already received");
            }
            throw e;
        }
        return new Accepted(t.seq(), Optional.of(new ObservationRecord(sessionId, t.seq(), t.deviceId(), gatewayId,
                reading.observedAt(), Timestamps.format(now), reading.vitals(), reading.quality(), payloadHash)));
    }
}
