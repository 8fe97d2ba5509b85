package org.iomtpq.gateway.store;

import static com.mongodb.client.model.Filters.eq;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.InsertManyOptions;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Sorts;
import org.bson.Document;

/**
 * {@code observations}: one document per accepted telemetry message, with {@code _id} = {@link #id(String, long)}
 * ({@code sessionId|seq}), so that {@code _id}'s uniqueness is the rule "no (sessionId, seq) stored twice", across
 * every instance (PROTOCOL.md §6).
 * <p>
 * Why the key is the {@code _id} and not a compound unique index on {@code (sessionId, seq)}: the embedded server
 * keeps every secondary index's keys as Java-serialized objects and serializes both sides of every comparison while it
 * searches the tree, so that index cost more per insert the bigger it grew (201 → 252 µs of server CPU per message
 * from an empty store to 100,000 observations, probe in docs/benchmarks.md); keyed by {@code _id} the same insert
 * costs 162 µs at both sizes. MongoDB is indifferent. A database of an older version still has the compound index and
 * documents with ObjectId ids: then {@link #legacyKeys} is true and lookups fall back to it.
 */
public final class ObservationRepository {

    private static final int DUPLICATE_KEY = 11000;
    /** The unique index of older versions (still there in their databases). */
    public static final String LEGACY_UNIQUE_INDEX = "session_seq_unique";

    private final MongoCollection<Document> observations;
    private final boolean legacyKeys;

    public ObservationRepository(MongoDatabase db) {
        this.observations = db.getCollection(Collections.OBSERVATIONS);
        boolean legacy = false;
        for (Document index : observations.listIndexes()) {
            legacy |= LEGACY_UNIQUE_INDEX.equals(index.getString("name"));
        }
        this.legacyKeys = legacy;
    }

    /** The {@code _id} of the observation {@code (sessionId, seq)}; base64 has no '|'. */
    public static String id(String sessionId, long seq) {
        return sessionId + "|" + seq;
    }

    /**
     * The payload hash of the message stored under this {@code (sessionId, seq)}, if any: by {@code _id}, and on a
     * database of an older version also by the exact {@code {sessionId, seq}} document its unique index answers.
     */
    public Optional<String> storedPayloadHash(String sessionId, long seq) {
        Document d = observations.find(new Document("_id", id(sessionId, seq)))
                .projection(Projections.include("payloadHash")).first();
        if (d == null && legacyKeys) {
            d = observations.find(new Document("sessionId", sessionId).append("seq", seq))
                    .projection(Projections.include("payloadHash")).first();
        }
        return Optional.ofNullable(d).map(x -> x.getString("payloadHash"));
    }

    public void insert(ObservationRecord o) {
        observations.insertOne(toDocument(o));
    }

    /** What became of one observation of an {@link #insertAll} batch. */
    public enum InsertOutcome {
        STORED,
        /** its {@code (sessionId, seq)} was stored already: nothing was written for it */
        DUPLICATE,
        /** the server refused this document for another reason: nothing was written for it */
        FAILED,
        /**
         * not written: at or below the session's recorded top minus the replay window (PROTOCOL.md §6), the top
         * raised by another instance's writes (see ObservationBatches)
         */
        TOO_OLD
    }

    /**
     * One unordered {@code insertMany}: every document is tried, and the answer says per document whether it is now
     * stored. Only returns after the server acknowledged the write (the client's write concern); a failure of the
     * whole command (storage down) throws, and then none of the batch may be treated as stored.
     */
    public List<InsertOutcome> insertAll(List<ObservationRecord> batch) {
        List<Document> docs = new ArrayList<>(batch.size());
        batch.forEach(o -> docs.add(toDocument(o)));
        List<InsertOutcome> outcomes = new ArrayList<>(java.util.Collections.nCopies(batch.size(), InsertOutcome.STORED));
        try {
            observations.insertMany(docs, new InsertManyOptions().ordered(false));
        } catch (MongoBulkWriteException e) {
            for (BulkWriteError error : e.getWriteErrors()) {
                outcomes.set(error.getIndex(), error.getCode() == DUPLICATE_KEY ? InsertOutcome.DUPLICATE : InsertOutcome.FAILED);
            }
            if (e.getWriteConcernError() != null) {
                throw e; // not known to be durable: nothing counts as stored
            }
        }
        return outcomes;
    }

    /** The observations stored under these {@code _id}s (absent ones are left out): one command. */
    public List<Document> byIds(List<String> ids) {
        List<Document> out = new ArrayList<>(ids.size());
        observations.find(new Document("_id", new Document("$in", ids))).forEach(out::add);
        return out;
    }

    public List<Document> latestForDevice(String deviceId, int limit) {
        List<Document> out = new ArrayList<>();
        observations.find(eq("deviceId", deviceId)).sort(Sorts.descending("receivedAt", "seq")).limit(limit)
                .forEach(out::add);
        return out;
    }

    public Optional<String> lastReceivedAt(String deviceId) {
        Document d = observations.find(eq("deviceId", deviceId)).sort(Sorts.descending("receivedAt"))
                .projection(Projections.include("receivedAt")).limit(1).first();
        return Optional.ofNullable(d).map(x -> x.getString("receivedAt"));
    }

    public long count() {
        return observations.countDocuments();
    }

    /** Vitals are stored as doubles: every value in the §6 table is well inside double precision. */
    public static Document toDocument(ObservationRecord o) {
        Map<String, Object> vitals = new LinkedHashMap<>();
        o.vitals().forEach((k, v) -> vitals.put(k, v.doubleValue()));
        return new Document("_id", id(o.sessionId(), o.seq()))
                .append("sessionId", o.sessionId())
                .append("seq", o.seq())
                .append("deviceId", o.deviceId())
                .append("gatewayId", o.gatewayId())
                .append("observedAt", o.observedAt())
                .append("receivedAt", o.receivedAt())
                .append("vitals", new Document(new TreeMap<>(vitals)))
                .append("quality", new Document(new TreeMap<>(o.quality())))
                .append("payloadHash", o.payloadHash());
    }

    public static Map<String, BigDecimal> vitalsOf(Document observation) {
        Map<String, BigDecimal> out = new TreeMap<>();
        observation.get("vitals", Document.class).forEach((k, v) -> out.put(k, BigDecimal.valueOf(((Number) v).doubleValue())));
        return out;
    }
}
