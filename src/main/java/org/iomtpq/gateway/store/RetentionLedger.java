package org.iomtpq.gateway.store;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import org.bson.Document;

/**
 * {@code retention_ledger}: what is to be purged when, so that the purge never has to search for old documents.
 * <p>
 * Why a ledger: the embedded server answers "everything older than T" (a range filter or a sort) by reading the whole
 * collection, which is exactly the cost that must not grow with stored data. Instead, whoever stores something with a
 * limited life notes its id here under the hour it falls due; the purge walks the hours in order and reaches every
 * document by its exact id. Every access here is by {@code _id}:
 * <ul>
 *   <li>a chunk {@code {kind}/{hour}/{writer}/{n}} holds up to {@value #CHUNK_MAX} ids;</li>
 *   <li>an hour {@code {kind}/{hour}} lists its chunks;</li>
 *   <li>a cursor {@code {kind}/cursor} names the oldest hour that may still hold work.</li>
 * </ul>
 * {@code writer} is random per process, so instances sharing a database never write the same chunk. An hour is handed
 * out only {@link #SETTLE} after it ended, so that a writer with a slightly slow clock still notes into an hour that
 * was not yet purged; every purge is idempotent, so two instances purging the same hour is harmless. Clocks more than
 * that apart can leave a chunk noted into an hour already purged: it is then never handed out (a leak of ledger ids,
 * never an early purge).
 */
public final class RetentionLedger {

    /** What a ledger entry stands for; the id's meaning is the kind's. */
    public enum Kind { SESSION, SESSION_OBSERVATIONS, APPROVAL, DEAD_LETTER, OUTBOX }

    /** Some of one hour's due ids; {@link #done} once purged. */
    public record DueChunk(Kind kind, long hour, String chunkId, List<String> ids) {
        /** A due time inside this chunk's hour: what is noted there now is handed out by the next {@link #due}. */
        public Instant hourStart() {
            return Instant.ofEpochSecond(hour * HOUR_SECONDS);
        }
    }

    static final int CHUNK_MAX = 500;
    static final Duration SETTLE = Duration.ofMinutes(10);
    private static final long HOUR_SECONDS = 3_600;

    private final MongoCollection<Document> ledger;
    private final String writer = UUID.randomUUID().toString().substring(0, 8);
    /** Chunk numbers are unique in this process, whatever the hour, so a chunk is never filled twice. */
    private long chunks;
    /** Per kind and hour, the chunk this process is filling: {number, ids given to it}. Only recent hours. */
    private final Map<String, long[]> filling = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, long[]> eldest) {
            return size() > 64;
        }
    };

    public RetentionLedger(MongoDatabase db) {
        this.ledger = db.getCollection(Collections.RETENTION_LEDGER);
    }

    /**
     * Notes {@code id} as due at {@code dueAt}. One write, three when a chunk is started. Only picking the chunk is
     * under the lock, not the writes: two callers pushing into a chunk that is still being registered is harmless.
     */
    public void record(Kind kind, String id, Instant dueAt) {
        long hour = Math.floorDiv(dueAt.getEpochSecond(), HOUR_SECONDS);
        String hourId = kind + "/" + hour;
        String chunkId;
        boolean started = false;
        synchronized (this) {
            long[] chunk = filling.get(hourId);
            if (chunk == null || chunk[1] >= CHUNK_MAX) {
                chunk = new long[] {chunks++, 0};
                filling.put(hourId, chunk);
                started = true;
            }
            chunk[1]++;
            chunkId = hourId + "/" + writer + "/" + chunk[0];
        }
        if (started) {
            ledger.updateOne(new Document("_id", hourId), Updates.addToSet("chunks", chunkId), new UpdateOptions().upsert(true));
            ledger.updateOne(new Document("_id", kind + "/cursor"), Updates.min("hour", hour), new UpdateOptions().upsert(true));
        }
        ledger.updateOne(new Document("_id", chunkId), Updates.push("ids", id), new UpdateOptions().upsert(true));
    }

    /**
     * The chunks of the oldest hour of {@code kind} that is over (ended at least {@link #SETTLE} before {@code now}),
     * moving the cursor past hours with nothing left. Empty when nothing is due.
     */
    public List<DueChunk> due(Kind kind, Instant now) {
        long lastOverHour = Math.floorDiv(now.minus(SETTLE).getEpochSecond(), HOUR_SECONDS) - 1;
        Document cursor = ledger.find(new Document("_id", kind + "/cursor")).first();
        if (cursor == null) {
            return List.of();
        }
        for (long hour = ((Number) cursor.get("hour")).longValue(); hour <= lastOverHour; hour++) {
            Document hourDoc = ledger.find(new Document("_id", kind + "/" + hour)).first();
            List<String> chunkIds = hourDoc == null ? List.of() : hourDoc.getList("chunks", String.class, List.of());
            if (!chunkIds.isEmpty()) {
                List<DueChunk> out = new ArrayList<>();
                for (Document c : ledger.find(new Document("_id", new Document("$in", chunkIds)))) {
                    out.add(new DueChunk(kind, hour, c.getString("_id"), c.getList("ids", String.class, List.of())));
                }
                if (!out.isEmpty()) {
                    synchronized (this) {
                        // what is noted into this hour from now on (a purge going on later) must go to a new chunk,
                        // not into one that is about to be done and deleted
                        filling.remove(kind + "/" + hour);
                    }
                    return out;
                }
            }
            // nothing (left) in this hour: drop it and move on, unless someone moved the cursor back meanwhile
            ledger.deleteOne(new Document("_id", kind + "/" + hour));
            ledger.updateOne(new Document("_id", kind + "/cursor").append("hour", hour), Updates.set("hour", hour + 1));
            Document moved = ledger.find(new Document("_id", kind + "/cursor")).first();
            if (moved == null || ((Number) moved.get("hour")).longValue() != hour + 1) {
                return List.of(); // a late writer noted something in an earlier hour: start from there next time
            }
        }
        return List.of();
    }

    /** Everything in the chunk was purged. */
    public void done(DueChunk chunk) {
        ledger.deleteOne(new Document("_id", chunk.chunkId()));
        ledger.updateOne(new Document("_id", chunk.kind() + "/" + chunk.hour()), Updates.pull("chunks", chunk.chunkId()));
    }
}
