package org.iomtpq.gateway.store;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.in;
import static com.mongodb.client.model.Filters.lt;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import org.bson.Document;

/**
 * {@code device_sessions}: where revocation and rotation find a device's sessions that have not expired yet, to end
 * them by id. Every access is by {@code _id}: the embedded server answers a filter on a non-unique field (such as
 * {@code sessions.deviceId}) by reading every stored session.
 * <ul>
 *   <li>a bucket {@code {_id: "deviceId#n", sessions: [{id, expiresAt}]}} lists the sessions whose listing ends in
 *       the {@link #SPAN} number n (epoch / span);</li>
 *   <li>the device's head {@code {_id: deviceId, buckets: [n...]}} names the buckets that may still list one (and,
 *       in a database written before buckets, {@code sessions} itself: still read, and shrunk at every listing).</li>
 * </ul>
 * Why buckets: one list per device grew with every handshake of a session lifetime (24 h), and each listing rewrote
 * it whole, twice per handshake: a device that handshakes every minute held 1,440 entries after a day and its
 * handshake's session writes cost 1.8× those of a device with one (DeviceSessionsBench). A listing now touches one
 * bucket (the sessions of one span) and the head (a few numbers), whatever the device made before.
 * <p>
 * A pending handshake is listed only until its deadline (30 s: a hello needs no key, and a flood of them must not
 * grow this for a day), an authenticated session until it expires; expired entries of the bucket written to are
 * dropped whenever one is added, and buckets whose span has passed leave the head then (retention deletes their
 * documents with the sessions, {@link #deleteEnded}). An entry without a session (a crash between the two writes) is
 * harmless: the session it names does not exist, and ending it does nothing.
 */
public final class DeviceSessionIndex {

    /** The time one bucket covers: a head names at most a session lifetime / SPAN buckets (97 for 24 h). */
    static final Duration SPAN = Duration.ofMinutes(15);
    private static final String BUCKETS = "buckets";
    private static final String SESSIONS = "sessions";

    private final MongoCollection<Document> index;

    public DeviceSessionIndex(MongoDatabase db) {
        this.index = db.getCollection(Collections.DEVICE_SESSIONS);
    }

    /**
     * Lists the session until {@code until} (replacing an earlier entry of it in the same bucket), and drops the
     * bucket's expired entries and the head's past buckets, in one command. Before the session itself is stored, and
     * again when it is authenticated (an earlier entry of it elsewhere expires at its own time).
     */
    public void list(String deviceId, String sessionId, Instant until, Instant now) {
        Document bucket = new Document("_id", bucketId(deviceId, bucketOf(until)));
        Document head = new Document("_id", deviceId);
        Date nowDate = Date.from(now);
        index.bulkWrite(List.of(
                new UpdateOneModel<>(bucket, Updates.pull(SESSIONS, lt("expiresAt", nowDate))),
                new UpdateOneModel<>(bucket, Updates.pull(SESSIONS, new Document("id", sessionId))),
                new UpdateOneModel<>(bucket, Updates.push(SESSIONS,
                        new Document("id", sessionId).append("expiresAt", Date.from(until))),
                        new UpdateOptions().upsert(true)),
                new UpdateOneModel<>(head, Updates.combine(Updates.pull(SESSIONS, lt("expiresAt", nowDate)),
                        Updates.pull(BUCKETS, new Document("$lt", bucketOf(now))))),
                new UpdateOneModel<>(head, Updates.addToSet(BUCKETS, bucketOf(until)), new UpdateOptions().upsert(true))));
    }

    /** The upgrade of an older database: adds a session without dropping anything. */
    void addStoredBefore(String deviceId, String sessionId, Date expiresAt) {
        index.updateOne(new Document("_id", deviceId), Updates.addToSet(SESSIONS,
                new Document("id", sessionId).append("expiresAt", expiresAt)), new UpdateOptions().upsert(true));
    }

    /** The device's sessions that had not expired at {@code now} (as far as this index knows), each once. */
    public List<String> unexpired(String deviceId, Instant now) {
        Document head = index.find(eq("_id", deviceId)).first();
        Set<String> out = new LinkedHashSet<>();
        if (head == null) {
            return new ArrayList<>(out);
        }
        addUnexpired(head, now, out);
        List<String> buckets = new ArrayList<>();
        for (Object n : head.getList(BUCKETS, Object.class, List.of())) {
            long bucket = ((Number) n).longValue();
            if (bucket >= bucketOf(now)) {
                buckets.add(bucketId(deviceId, bucket));
            }
        }
        if (!buckets.isEmpty()) {
            for (Document bucket : index.find(in("_id", buckets))) {
                addUnexpired(bucket, now, out);
            }
        }
        return new ArrayList<>(out);
    }

    /**
     * Retention, purging an ended session listed until {@code until} (its expiry, its handshake deadline): deletes
     * the device's bucket of that time once its whole span has passed (every entry in it has expired by then).
     */
    public void deleteEnded(String deviceId, List<Instant> untils, Instant now) {
        List<String> ids = untils.stream().map(DeviceSessionIndex::bucketOf).distinct()
                .filter(b -> !now.isBefore(Instant.ofEpochSecond((b + 1) * SPAN.toSeconds())))
                .map(b -> bucketId(deviceId, b)).toList();
        if (!ids.isEmpty()) {
            index.deleteMany(in("_id", ids));
        }
    }

    private static void addUnexpired(Document d, Instant now, Set<String> out) {
        for (Document s : d.getList(SESSIONS, Document.class, List.of())) {
            if (s.getDate("expiresAt").toInstant().isAfter(now)) {
                out.add(s.getString("id"));
            }
        }
    }

    static long bucketOf(Instant t) {
        return Math.floorDiv(t.getEpochSecond(), SPAN.toSeconds());
    }

    /** '#' is not allowed in a deviceId (Identifiers), so a bucket never takes a device's head id. */
    static String bucketId(String deviceId, long bucket) {
        return deviceId + "#" + bucket;
    }
}
