package org.iomtpq.gateway.store;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.gt;
import static com.mongodb.client.model.Filters.in;
import static com.mongodb.client.model.Filters.ne;

import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Updates;
import org.bson.Document;
import org.bson.types.Binary;
import org.iomtpq.gateway.protocol.SessionState;

/** {@code sessions}: pending handshakes and authenticated sessions, shared by every gateway instance. */
public final class SessionRepository {

    private final MongoCollection<Document> sessions;
    private final List<Consumer<String>> endListeners = new CopyOnWriteArrayList<>();

    public SessionRepository(MongoDatabase db) {
        this.sessions = db.getCollection(Collections.SESSIONS);
    }

    /**
     * Called with the device id after this instance ended sessions of a device (revocation, rotation), whether or
     * not any changed: caches of session state drop the device's entries.
     */
    public void onSessionsEnded(Consumer<String> listener) {
        endListeners.add(listener);
    }

    private long ended(String deviceId, long count) {
        endListeners.forEach(l -> l.accept(deviceId));
        return count;
    }

    public void insertPending(SessionRecord s) {
        sessions.insertOne(new Document("_id", s.sessionId())
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
                .append("endedReason", null));
    }

    public Optional<SessionRecord> find(String sessionId) {
        return Optional.ofNullable(sessions.find(eq("_id", sessionId)).first()).map(SessionRepository::fromDocument);
    }

    /**
     * ENCAPSULATED → AUTHENTICATED, only once, only before the handshake deadline and only for the keys the
     * handshake started with; the finished key and transcript are dropped. False if anything changed meanwhile.
     */
    public boolean authenticate(String sessionId, String keyCommitment, Instant now) {
        return sessions.updateOne(
                and(eq("_id", sessionId), eq("state", SessionState.ENCAPSULATED.name()), eq("keyCommitment", keyCommitment),
                        gt("handshakeDeadline", Date.from(now)), eq("endedReason", null)),
                Updates.combine(Updates.set("state", SessionState.AUTHENTICATED.name()),
                        Updates.set("authenticatedAt", Date.from(now)),
                        Updates.unset("finishedKeyWrapped"),
                        Updates.unset("transcriptHash"))).getModifiedCount() == 1;
    }

    /** A pending handshake that failed is dropped: its keys are erased, only the fact remains. */
    public void fail(String sessionId) {
        sessions.updateOne(and(eq("_id", sessionId), eq("state", SessionState.ENCAPSULATED.name())),
                Updates.combine(Updates.set("state", SessionState.FAILED.name()),
                        Updates.unset("finishedKeyWrapped"), Updates.unset("transcriptHash"),
                        Updates.unset("d2gKeyWrapped"), Updates.unset("g2dKeyWrapped")));
    }

    /**
     * Revocation: every session of the device ends at once, including those a rotation ended earlier, so that all
     * of them answer DEVICE_REVOKED (PROTOCOL.md §6). Idempotent; returns how many changed.
     */
    public long endAllForRevocation(String deviceId, Instant now) {
        return ended(deviceId, sessions.updateMany(
                and(eq("deviceId", deviceId), ne("endedReason", SessionRecord.ENDED_BY_REVOCATION),
                        in("state", SessionState.ENCAPSULATED.name(), SessionState.AUTHENTICATED.name())),
                Updates.combine(Updates.set("endedReason", SessionRecord.ENDED_BY_REVOCATION),
                        Updates.set("endedAt", Date.from(now))))
                .getModifiedCount());
    }

    /**
     * Rotation: ends the live sessions built on keys other than {@code currentCommitment}. Idempotent, and safe to
     * repeat after new sessions with the new keys exist. Returns how many ended.
     */
    public long endAllOfOtherKeys(String deviceId, String currentCommitment, Instant now) {
        return ended(deviceId, sessions.updateMany(
                and(eq("deviceId", deviceId), eq("endedReason", null), ne("keyCommitment", currentCommitment),
                        in("state", SessionState.ENCAPSULATED.name(), SessionState.AUTHENTICATED.name())),
                Updates.combine(Updates.set("endedReason", SessionRecord.ENDED_BY_ROTATION),
                        Updates.set("endedAt", Date.from(now))))
                .getModifiedCount());
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
                bytes(d, "g2dKeyWrapped"), d.getString("endedReason"));
    }

    private static long number(Object o) {
        return ((Number) o).longValue();
    }

    private static byte[] bytes(Document d, String field) {
        Binary b = d.get(field, Binary.class);
        return b == null ? null : b.getData();
    }
}
