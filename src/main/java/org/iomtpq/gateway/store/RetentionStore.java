package org.iomtpq.gateway.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import org.bson.Document;
import org.bson.types.ObjectId;

/**
 * The deletes retention makes, each by exact id (or exact {@code (sessionId, seq)}), so each costs the same however
 * much is stored. Observations go in commands of at most {@value #DELETE_BATCH} deletes.
 */
public final class RetentionStore {

    static final int DELETE_BATCH = 1_000;
    private static final Set<String> FINISHED_OUTBOX = Set.of(OutboxEntry.Status.CONFIRMED.name(),
            OutboxEntry.Status.REVERTED.name(), OutboxEntry.Status.CANCELLED.name());

    private final SessionRepository sessionRepository;
    private final StoredSeqs storedSeqs;
    private final MongoCollection<Document> devices;
    private final MongoCollection<Document> sessions;
    private final MongoCollection<Document> observations;
    private final MongoCollection<Document> approvals;
    private final MongoCollection<Document> deadLetters;
    private final MongoCollection<Document> outbox;
    private final DeviceSessionIndex deviceSessions;

    public RetentionStore(MongoDatabase db, SessionRepository sessionRepository) {
        this.sessionRepository = sessionRepository;
        this.storedSeqs = new StoredSeqs(db);
        this.devices = db.getCollection(Collections.DEVICE_KEYS);
        this.sessions = db.getCollection(Collections.SESSIONS);
        this.observations = db.getCollection(Collections.OBSERVATIONS);
        this.approvals = db.getCollection(Collections.APPROVALS);
        this.deadLetters = db.getCollection(Collections.DEAD_LETTERS);
        this.outbox = db.getCollection(Collections.OUTBOX);
        this.deviceSessions = new DeviceSessionIndex(db);
    }

    public Optional<SessionRecord> session(String sessionId) {
        return sessionRepository.find(sessionId);
    }

    public long deleteSession(String sessionId) {
        return sessions.deleteOne(new Document("_id", sessionId)).getDeletedCount();
    }

    /** The {@code device_sessions} buckets the session was listed in, once their time has passed. */
    public void deleteListings(SessionRecord s, Instant now) {
        deviceSessions.deleteEnded(s.deviceId(), List.of(s.handshakeDeadline(), s.expiresAtInstant()), now);
    }

    public Optional<StoredSeqs.Range> storedSeqs(String sessionId) {
        return storedSeqs.find(sessionId);
    }

    public void deleteStoredSeqs(String sessionId) {
        storedSeqs.delete(sessionId);
    }

    /** Observations {@code from..to} of a session, by {@code _id $in}; returns how many existed. */
    public long deleteObservations(String sessionId, long from, long to) {
        long deleted = 0;
        List<String> ids = new ArrayList<>(DELETE_BATCH);
        for (long seq = from; seq <= to; seq++) {
            ids.add(ObservationRepository.id(sessionId, seq));
            if (ids.size() == DELETE_BATCH || seq == to) {
                deleted += observations.deleteMany(new Document("_id", new Document("$in", ids))).getDeletedCount();
                ids.clear();
            }
        }
        return deleted;
    }

    /**
     * The device's approval, only if it is still the expired one (a newer approval replaced it under the same id:
     * that one stays). Approvals are one per device, so the filter's scan on the embedded server is bounded by the
     * number of devices, not by history.
     */
    public long deleteExpiredApproval(String deviceId, Instant now) {
        Document a = approvals.find(new Document("_id", deviceId)).first();
        if (a == null || !a.getDate("expiresAt").toInstant().isBefore(now)) {
            return 0;
        }
        return approvals.deleteOne(new Document("_id", deviceId).append("createdAt", a.getDate("createdAt")))
                .getDeletedCount();
    }

    public long deleteDeadLetter(String id) {
        Object key = ObjectId.isValid(id) ? new ObjectId(id) : id;
        return deadLetters.deleteOne(new Document("_id", key)).getDeletedCount();
    }

    /** What became of a finished outbox entry's purge. */
    public enum OutboxPurge { DELETED, STILL_NEEDED, GONE_OR_OPEN }

    /**
     * Only an entry that is finished (confirmed, reverted or cancelled): an open one is never purged. A confirmed
     * rotation whose device still has it pending stays: the entry holds the new keys, and the next handshake completes
     * the rotation from it (PROTOCOL.md §5, CommitmentCheck).
     */
    public OutboxPurge deleteFinishedOutboxEntry(String id) {
        Document e = outbox.find(new Document("_id", id)).first();
        if (e == null || !FINISHED_OUTBOX.contains(e.getString("status"))) {
            return OutboxPurge.GONE_OR_OPEN;
        }
        if (OutboxEntry.Op.ROTATE.name().equals(e.getString("op")) && e.getString("commitment") != null) {
            Document device = devices.find(new Document("_id", e.getString("deviceId"))).first();
            if (device != null && e.getString("commitment").equals(device.getString("pendingKeyCommitment"))) {
                return OutboxPurge.STILL_NEEDED;
            }
        }
        return outbox.deleteOne(new Document("_id", id)).getDeletedCount() == 1 ? OutboxPurge.DELETED : OutboxPurge.GONE_OR_OPEN;
    }
}
