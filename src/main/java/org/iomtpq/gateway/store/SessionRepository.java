package org.iomtpq.gateway.store;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.gt;

import java.time.Instant;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Updates;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.bson.types.Binary;
import org.iomtpq.gateway.protocol.SessionState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code sessions}: pending handshakes and authenticated sessions, shared by every gateway instance.
 * <p>
 * The changes a handshake makes are compare-and-set on {@code (_id, revision)}: the session is read by its id, the
 * conditions are checked on what was read, and the update applies only if the stored revision is still the one read.
 * Every change raises the revision, so anything that happened in between (another finished, a revocation, a
 * rotation) makes it apply to nothing. A filter of exactly those two fields is answered from the unique
 * {@code (_id, revision)} index by MongoDB and by the embedded server alike; the latter scans the whole collection
 * for any other combination (58 ms per update at 50,000 stored sessions in a probe of the old filter).
 */
public final class SessionRepository {

    static final String REVISION = "revision";
    private static final Set<SessionState> LIVE_STATES = EnumSet.of(SessionState.ENCAPSULATED, SessionState.AUTHENTICATED);
    private static final Logger LOG = LoggerFactory.getLogger(SessionRepository.class);

    private final MongoCollection<Document> sessions;
    private final DeviceSessionIndex byDevice;
    private final List<Consumer<String>> endListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<SessionRecord>> storingListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<String>> authenticatedListeners = new CopyOnWriteArrayList<>();

    public SessionRepository(MongoDatabase db) {
        this.sessions = db.getCollection(Collections.SESSIONS);
        this.byDevice = new DeviceSessionIndex(db);
    }

    /**
     * Called with the device id after this instance ended sessions of a device (revocation, rotation), whether or
     * not any changed: caches of session state drop the device's entries.
     */
    public void onSessionsEnded(Consumer<String> listener) {
        endListeners.add(listener);
    }

    /**
     * Called with every new session just before it is stored (retention notes when it falls due): a failure there
     * stores nothing, and a note of a session that was then not stored is harmless.
     */
    public void onStoring(Consumer<SessionRecord> listener) {
        storingListeners.add(listener);
    }

    /** Called with the session id after a handshake authenticated it here (caches know its window is empty). */
    public void onAuthenticated(Consumer<String> listener) {
        authenticatedListeners.add(listener);
    }

    private long ended(String deviceId, long count) {
        endListeners.forEach(l -> l.accept(deviceId));
        return count;
    }

    public void insertPending(SessionRecord s) {
        storingListeners.forEach(l -> l.accept(s));
        byDevice.list(s.deviceId(), s.sessionId(), s.handshakeDeadline(), s.createdAt()); // pending: until its deadline
        sessions.insertOne(toDocument(s));
    }

    /**
     * The stored shape of a new (pending) session; public so that bulk loaders (the growth benchmark) store exactly
     * what {@link #insertPending} stores.
     */
    public static Document toDocument(SessionRecord s) {
        return new Document("_id", s.sessionId())
                .append("deviceId", s.deviceId())
                .append("keyCommitment", s.keyCommitment())
                .append("gatewayId", s.gatewayId())
                .append("state", s.state().name())
                .append("createdAt", Date.from(s.createdAt()))
                .append("handshakeDeadline", Date.from(s.handshakeDeadline()))
                .append("expiresAt", s.expiresAt())
                .append("expiresAtDate", Date.from(s.expiresAtInstant()))
                .append("maxMessages", s.maxMessages())
                .append("transcriptHash", new Binary(s.transcriptHash()))
                .append("finishedKeyWrapped", new Binary(s.finishedKeyWrapped()))
                .append("d2gKeyWrapped", new Binary(s.deviceToGatewayKeyWrapped()))
                .append("g2dKeyWrapped", new Binary(s.gatewayToDeviceKeyWrapped()))
                .append("endedReason", null)
                .append(REVISION, 0L); // a new session; whatever revision the record carries
    }

    public Optional<SessionRecord> find(String sessionId) {
        return Optional.ofNullable(sessions.find(eq("_id", sessionId)).first()).map(SessionRepository::fromDocument);
    }

    /**
     * ENCAPSULATED → AUTHENTICATED, only once, only before the handshake deadline, only if not ended, and only if the
     * session is still as {@code seen} (so still built on the keys it was read with); the finished key and transcript
     * are dropped. False if anything changed since it was read.
     */
    public boolean authenticate(SessionRecord seen, Instant now) {
        if (seen.state() != SessionState.ENCAPSULATED || seen.endedReason() != null
                || !now.isBefore(seen.handshakeDeadline())) {
            return false;
        }
        // listed for its whole life before it can carry telemetry (a revocation that misses it between the two writes
        // is still enforced: the change check below, the caller's re-read of the device, telemetry's device check)
        byDevice.list(seen.deviceId(), seen.sessionId(), seen.expiresAtInstant(), now);
        boolean authenticated = changeIfUnchanged(seen, Updates.combine(
                Updates.set("state", SessionState.AUTHENTICATED.name()),
                Updates.set("authenticatedAt", Date.from(now)),
                Updates.unset("finishedKeyWrapped"),
                Updates.unset("transcriptHash")));
        if (authenticated) {
            authenticatedListeners.forEach(l -> l.accept(seen.sessionId()));
        }
        return authenticated;
    }

    /** A pending handshake that failed is dropped: its keys are erased, only the fact remains. */
    public void fail(String sessionId) {
        for (int attempt = 0; attempt < 5; attempt++) { // only a concurrent change of the same session retries
            Optional<SessionRecord> current = find(sessionId);
            if (current.isEmpty() || current.get().state() != SessionState.ENCAPSULATED
                    || changeIfUnchanged(current.get(), Updates.combine(Updates.set("state", SessionState.FAILED.name()),
                            Updates.unset("finishedKeyWrapped"), Updates.unset("transcriptHash"),
                            Updates.unset("d2gKeyWrapped"), Updates.unset("g2dKeyWrapped")))) {
                return;
            }
        }
        // Five changes in between are not plausible; the pending handshake still expires at its deadline.
        LOG.warn("could not mark the pending handshake of a session as failed: it kept changing");
    }

    private boolean changeIfUnchanged(SessionRecord seen, Bson update) {
        // null matches a session stored before revisions existed (no such field); $inc then starts it at 1
        Document sameRevision = new Document("_id", seen.sessionId()).append(REVISION, seen.revision() < 0 ? null : seen.revision());
        return sessions.updateOne(sameRevision, Updates.combine(update, Updates.inc(REVISION, 1L))).getModifiedCount() == 1;
    }

    /**
     * Revocation: every session of the device ends at once, including those a rotation ended earlier, so that all
     * of them answer DEVICE_REVOKED (PROTOCOL.md §6). Idempotent; returns how many changed.
     */
    public long endAllForRevocation(String deviceId, Instant now) {
        return ended(deviceId, endEach(deviceId, now, SessionRecord.ENDED_BY_REVOCATION,
                s -> !SessionRecord.ENDED_BY_REVOCATION.equals(s.endedReason())));
    }

    /**
     * Rotation: ends the live sessions built on keys other than {@code currentCommitment}. Idempotent, and safe to
     * repeat after new sessions with the new keys exist. Returns how many ended.
     */
    public long endAllOfOtherKeys(String deviceId, String currentCommitment, Instant now) {
        return ended(deviceId, endEach(deviceId, now, SessionRecord.ENDED_BY_ROTATION,
                s -> s.endedReason() == null && !currentCommitment.equals(s.keyCommitment())));
    }

    /**
     * Ends, one by one and by id, the device's unexpired pending or authenticated sessions that {@code applies}
     * accepts. Each change is a compare-and-set on the revision read, retried when something changed the session in
     * between, so a concurrent handshake step can neither undo the ending nor be overwritten by it. An expired session
     * needs no ending: it answers SESSION_EXPIRED whatever its mark.
     */
    private long endEach(String deviceId, Instant now, String reason, Predicate<SessionRecord> applies) {
        long changed = 0;
        for (String sessionId : byDevice.unexpired(deviceId, now)) {
            int attempt = 0;
            for (; attempt < 5; attempt++) {
                Optional<SessionRecord> current = find(sessionId);
                if (current.isEmpty() || !deviceId.equals(current.get().deviceId())
                        || !LIVE_STATES.contains(current.get().state()) || !applies.test(current.get())) {
                    break;
                }
                if (changeIfUnchanged(current.get(), Updates.combine(Updates.set("endedReason", reason),
                        Updates.set("endedAt", Date.from(now))))) {
                    changed++;
                    break;
                }
            }
            if (attempt == 5) { // not plausible; telemetry still refuses it (device status and keys are checked too)
                LOG.warn("could not end a session of a device ({}): it kept changing", reason);
            }
        }
        return changed;
    }

    public long countAuthenticated(Instant now) {
        return sessions.countDocuments(and(eq("state", SessionState.AUTHENTICATED.name()), eq("endedReason", null),
                gt("expiresAtDate", Date.from(now))));
    }

    private static SessionRecord fromDocument(Document d) {
        return new SessionRecord(d.getString("_id"), d.getString("deviceId"), d.getString("keyCommitment"), d.getString("gatewayId"),
                SessionState.valueOf(d.getString("state")), d.getDate("createdAt").toInstant(),
                d.getDate("handshakeDeadline").toInstant(), d.getString("expiresAt"),
                d.getDate("expiresAtDate").toInstant(), number(d.get("maxMessages")),
                bytes(d, "transcriptHash"), bytes(d, "finishedKeyWrapped"), bytes(d, "d2gKeyWrapped"),
                bytes(d, "g2dKeyWrapped"), d.getString("endedReason"), revision(d));
    }

    /** Sessions stored before revisions existed have none: -1 here. */
    private static long revision(Document d) {
        Object r = d.get(REVISION);
        return r == null ? -1 : number(r);
    }

    private static long number(Object o) {
        return ((Number) o).longValue();
    }

    private static byte[] bytes(Document d, String field) {
        Binary b = d.get(field, Binary.class);
        return b == null ? null : b.getData();
    }
}
