package org.iomtpq.gateway.store;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.UUID;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import org.bson.Document;

/**
 * What is still to be delivered to the FHIR server: {@code fhir_feed}, one entry per observation write batch naming
 * the ids it stored, and {@code fhir_feed_writers}, one small document per writing process (its position, how far
 * the export has delivered it, when it last said it was alive).
 * <p>
 * Why a feed and not a query: the embedded server answers "observations not yet delivered" (a filter on a field, or a
 * sort) by reading the whole collection. Here every access is by {@code _id}: entries are {@code {writer}/{n}} with
 * {@code n} = 1, 2, 3… per process, so the export reads the next few by exact ids. A process's writer id is random
 * and new at every start, so instances sharing a database never write the same entry. An insert whose outcome is
 * unknown (storage down) still uses up its {@code n}: a gap, which the export skips once a later entry or the
 * writer's recorded {@code top} shows it will never come (entries are written in order, by one thread).
 * <p>
 * Reading {@code fhir_feed_writers} whole is a scan of a collection with one document per process that still has
 * something to deliver, or is running: a handful, not growing with stored data.
 */
public final class FhirFeed {

    /** One write batch's stored observation ids. */
    public record Entry(String writer, long n, List<String> observationIds, Instant at) {
    }

    /** A writing process as the export sees it. */
    public record Writer(String id, long delivered, long top, Instant alive, boolean stopped) {
    }

    static final Duration BEAT = Duration.ofSeconds(10);

    private final MongoCollection<Document> feed;
    private final MongoCollection<Document> writers;
    private final String writer = UUID.randomUUID().toString().substring(0, 12);
    /** Writer side: the next entry's number, and when this process last recorded it is alive. Writer thread only. */
    private long next = 1;
    private Instant beaten;

    public FhirFeed(MongoDatabase db) {
        this.feed = db.getCollection(Collections.FHIR_FEED);
        this.writers = db.getCollection(Collections.FHIR_FEED_WRITERS);
    }

    // ------------------------------------------------------------------ writer side (one thread)

    /**
     * Notes the ids of one stored batch; throws when the entry is not known written (then the batch must not be
     * answered as stored: its retry, as duplicates, notes them again).
     */
    public void note(List<String> observationIds, Instant now) {
        if (observationIds.isEmpty()) {
            return;
        }
        if (beaten == null) {
            beat(now);
        }
        long n = next++;
        try {
            feed.insertOne(new Document("_id", writer + "/" + n).append("ids", observationIds).append("at", Date.from(now)));
        } catch (MongoWriteException e) {
            if (e.getError().getCategory() != ErrorCategory.DUPLICATE_KEY) {
                throw e;
            }
        }
        if (now.isAfter(beaten.plus(BEAT))) {
            beat(now);
        }
    }

    /** Records that this process is alive and how far it has written (at most once per {@link #BEAT}). */
    public void heartbeat(Instant now) {
        if (beaten != null && now.isAfter(beaten.plus(BEAT))) {
            beat(now);
        }
    }

    /** A clean stop: everything this process will ever note is there. */
    public void stopped(Instant now) {
        if (beaten != null) {
            writers.updateOne(Filters.eq("_id", writer), Updates.combine(Updates.max("top", next - 1),
                    Updates.set("alive", Date.from(now)), Updates.set("stopped", true)));
        }
    }

    private void beat(Instant now) {
        writers.updateOne(Filters.eq("_id", writer), Updates.combine(Updates.setOnInsert("delivered", 0L),
                Updates.max("top", next - 1), Updates.set("alive", Date.from(now))), new UpdateOptions().upsert(true));
        beaten = now;
    }

    // ------------------------------------------------------------------ export side

    public List<Writer> writers() {
        List<Writer> out = new ArrayList<>();
        for (Document d : writers.find()) {
            out.add(new Writer(d.getString("_id"), number(d, "delivered"), number(d, "top"),
                    d.getDate("alive") == null ? Instant.EPOCH : d.getDate("alive").toInstant(),
                    Boolean.TRUE.equals(d.getBoolean("stopped"))));
        }
        return out;
    }

    /** The entries {@code after+1 .. after+count} of a writer that exist, in order. */
    public List<Entry> entriesAfter(String writerId, long after, int count) {
        List<String> ids = new ArrayList<>(count);
        for (long n = after + 1; n <= after + count; n++) {
            ids.add(writerId + "/" + n);
        }
        List<Entry> out = new ArrayList<>();
        for (Document d : feed.find(Filters.in("_id", ids))) {
            String id = d.getString("_id");
            out.add(new Entry(writerId, Long.parseLong(id.substring(id.lastIndexOf('/') + 1)),
                    d.getList("ids", String.class, List.of()), d.getDate("at").toInstant()));
        }
        out.sort(java.util.Comparator.comparingLong(Entry::n));
        return out;
    }

    /** Everything of this writer up to {@code n} was delivered: its entries up to there go. */
    public void delivered(String writerId, long n, List<Entry> entries) {
        writers.updateOne(Filters.eq("_id", writerId), Updates.max("delivered", n));
        List<String> ids = new ArrayList<>(entries.size());
        entries.forEach(e -> ids.add(e.writer() + "/" + e.n()));
        if (!ids.isEmpty()) {
            feed.deleteMany(Filters.in("_id", ids));
        }
    }

    /** A writer that stopped or died with nothing left to deliver. */
    public void forget(String writerId) {
        writers.deleteOne(Filters.eq("_id", writerId));
    }

    private static long number(Document d, String field) {
        Object v = d.get(field);
        return v instanceof Number n ? n.longValue() : 0L;
    }
}
