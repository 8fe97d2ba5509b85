package org.iomtpq.gateway.store;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.in;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.Map;
import java.util.Optional;

import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Updates;
import org.bson.Document;
import org.bson.types.Binary;

/**
 * {@code outbox}: chain operations on their way to the registry, relayed by one instance of the gateway at a time
 * ({@code RelayLeadership}), each signing with its own account.
 * <p>
 * The outbox only grows (every audit anchor adds an entry, 2,880 a day at the default interval), and the relay asks
 * for what is due twice a second. On the embedded server any filter but {@code _id} scans every entry ever made
 * (125 ms at 50,000, measured), so which entries are still to do is kept apart: one marker per open entry in
 * {@code outbox_open}, read whole, and the entries it names are fetched by {@code _id}. The order of the writes makes
 * a crash harmless: the marker is written before its entry (and again after it) and removed only after the entry was
 * finished; a reader drops markers of finished entries, and of missing ones once they are older than
 * {@link #MARKER_GRACE} (see {@link #dropMarkerOfMissingEntry}). Databases from before the markers get them on the
 * first start ({@link #restoreOpenMarkers()}).
 */
public final class OutboxRepository {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(OutboxRepository.class);

    /** Longer than any add takes between its marker and its entry. */
    static final Duration MARKER_GRACE = Duration.ofMinutes(1);

    private static final List<String> OPEN = List.of(OutboxEntry.Status.PENDING.name(), OutboxEntry.Status.SIGNED.name());

    private final MongoCollection<Document> outbox;
    private final MongoCollection<Document> open;
    private final List<BiConsumer<String, Instant>> finishListeners = new CopyOnWriteArrayList<>();

    /** Called with the id and time of every entry after it was finished (retention notes when it falls due). */
    public void onFinished(BiConsumer<String, Instant> listener) {
        finishListeners.add(listener);
    }

    public OutboxRepository(MongoDatabase db) {
        this.outbox = db.getCollection(Collections.OUTBOX);
        this.open = db.getCollection(Collections.OUTBOX_OPEN);
    }

    /** Markers for open entries that have none (the one full scan; at start). Returns how many were added. */
    public int restoreOpenMarkers() {
        int added = 0;
        for (Document d : outbox.find(in("status", OPEN)).projection(new Document("createdAt", 1))) {
            added += mark(d.getString("_id"), d.getDate("createdAt").toInstant()) ? 1 : 0;
        }
        return added;
    }

    /** Adds an operation; adding the same operation twice (same id) is a no-op. */
    public void add(OutboxEntry e) {
        mark(e.id(), e.createdAt());
        ignoringDuplicate(() -> outbox.insertOne(new Document("_id", e.id()).append("op", e.op().name()).append("deviceId", e.deviceId())
                .append("deviceIdHash", e.deviceIdHash()).append("commitment", e.commitment())
                .append("kemPublicKey", e.kemPublicKey() == null ? null : new Binary(e.kemPublicKey()))
                .append("sigPublicKey", e.sigPublicKey() == null ? null : new Binary(e.sigPublicKey()))
                .append("firstSeq", e.firstSeq()).append("lastSeq", e.lastSeq())
                .append("status", e.status().name()).append("nonce", e.nonce()).append("rawTx", e.rawTx())
                .append("txHash", e.txHash()).append("attempts", e.attempts())
                .append("createdAt", Date.from(e.createdAt())).append("nextAttemptAt", Date.from(e.nextAttemptAt()))
                .append("lastError", e.lastError()).append("members", e.members().isEmpty() ? null : e.members())
                .append("batchId", e.batchId()).append("alone", e.alone())));
        mark(e.id(), e.createdAt()); // again: a reader may have dropped the marker while the entry was on its way
    }

    private boolean mark(String id, Instant createdAt) {
        return ignoringDuplicate(() -> open.insertOne(new Document("_id", id).append("markedAt", Date.from(createdAt))));
    }

    private static boolean ignoringDuplicate(Runnable insert) {
        try {
            insert.run();
            return true;
        } catch (MongoWriteException ex) {
            if (ex.getError().getCode() != 11000) {
                throw ex;
            }
            return false;
        }
    }

    /** How many operations are still to do (the markers: one small document each). For the metrics. */
    public long openCount() {
        return open.estimatedDocumentCount();
    }

    /** Since when the oldest operation still to do waits (markers only, read-only). For the metrics. */
    public java.util.Optional<Instant> oldestOpenSince() {
        Instant oldest = null;
        for (org.bson.Document m : open.find()) {
            Instant at = m.getDate("markedAt").toInstant();
            oldest = oldest == null || at.isBefore(oldest) ? at : oldest;
        }
        return java.util.Optional.ofNullable(oldest);
    }

    /** Operations still to do, oldest first. */
    public List<OutboxEntry> due(Instant now, int limit) {
        return openInOrder(now).stream().filter(e -> !e.nextAttemptAt().isAfter(now)).limit(limit).toList();
    }

    /**
     * Every open entry, oldest first, also those deferred to later: the relay must see a deferred operation to hold
     * the later operations of the same device behind it. One read of the markers plus one {@code _id $in} lookup.
     */
    public List<OutboxEntry> openInOrder(Instant now) {
        return openEntries(now).stream()
                .sorted(Comparator.comparing(OutboxEntry::createdAt).thenComparing(OutboxEntry::id)).toList();
    }

    /** Every open entry; markers whose entry is finished, or missing for longer than the grace, are dropped. */
    private List<OutboxEntry> openEntries(Instant now) {
        Map<String, Instant> marked = new HashMap<>();
        open.find().forEach(m -> marked.put(m.getString("_id"), m.getDate("markedAt").toInstant()));
        if (marked.isEmpty()) {
            return List.of();
        }
        List<OutboxEntry> entries = new ArrayList<>();
        outbox.find(in("_id", marked.keySet())).forEach(d -> {
            OutboxEntry e = fromDocument(d);
            marked.remove(e.id());
            if (OPEN.contains(e.status().name())) {
                entries.add(e);
            } else {
                open.deleteOne(eq("_id", e.id()));
            }
        });
        marked.forEach((id, markedAt) -> {
            if (markedAt.plus(MARKER_GRACE).isBefore(now)) {
                dropMarkerOfMissingEntry(id, markedAt); // its add died between the marker and the entry, most likely
            }
        });
        return entries;
    }

    /**
     * Drops the marker of an entry that was not there, and puts it back if the entry is there now: an add that was
     * merely slow (or whose clock is behind) may have inserted it since. Together with the add marking again after
     * its insert, an open entry keeps a marker however the two interleave, whatever the clocks say.
     */
    void dropMarkerOfMissingEntry(String id, Instant markedAt) {
        open.deleteOne(eq("_id", id));
        if (find(id).filter(e -> OPEN.contains(e.status().name())).isPresent()) {
            mark(id, markedAt);
        }
    }

    public Optional<OutboxEntry> find(String id) {
        return Optional.ofNullable(outbox.find(eq("_id", id)).first()).map(OutboxRepository::fromDocument);
    }

    /** Stored before the broadcast: after a restart the same bytes go out again. */
    public void markSigned(String id, long nonce, String rawTx, String txHash, Instant now) {
        outbox.updateOne(eq("_id", id), Updates.combine(Updates.set("status", OutboxEntry.Status.SIGNED.name()),
                Updates.set("nonce", nonce), Updates.set("rawTx", rawTx), Updates.set("txHash", txHash),
                Updates.set("signedAt", Date.from(now))));
    }

    /**
     * The registrations {@code ids} travel in the batch {@code batchId} (already stored, with its raw transaction):
     * they share its nonce and hash. One update by {@code _id $in}.
     */
    public void markBatchMembers(List<String> ids, String batchId, long nonce, String txHash, Instant now) {
        outbox.updateMany(in("_id", ids), Updates.combine(Updates.set("status", OutboxEntry.Status.SIGNED.name()),
                Updates.set("batchId", batchId), Updates.set("nonce", nonce), Updates.set("rawTx", null),
                Updates.set("txHash", txHash), Updates.set("signedAt", Date.from(now))));
    }

    /** Back to unsigned: the nonce was taken by another transaction, sign again. */
    public void resetToPending(String id, String reason) {
        returnToPending(List.of(id), reason, false);
    }

    /**
     * Back to unsigned, out of any batch. {@code alone}: from now on sent as a single registration (its batch
     * reverted, or would have), so that one bad registration cannot fail the others.
     */
    public void returnToPending(List<String> ids, String reason, boolean alone) {
        outbox.updateMany(in("_id", ids), Updates.combine(Updates.set("status", OutboxEntry.Status.PENDING.name()),
                Updates.set("nonce", null), Updates.set("rawTx", null), Updates.set("txHash", null),
                Updates.set("batchId", null), Updates.set("alone", alone), Updates.set("lastError", reason)));
    }

    public void finish(String id, OutboxEntry.Status status, String detail, Instant now) {
        finishAll(List.of(id), status, detail, now);
    }

    /** Finishes entries and removes their markers (after, so that a crash in between leaves them open, not lost). */
    public void finishAll(List<String> ids, OutboxEntry.Status status, String detail, Instant now) {
        if (ids.isEmpty()) {
            return;
        }
        outbox.updateMany(in("_id", ids), Updates.combine(Updates.set("status", status.name()),
                Updates.set("lastError", detail), Updates.set("finishedAt", Date.from(now))));
        open.deleteMany(in("_id", ids));
        // after the change, so never in its way: the caller applies the entry's effects next, and a failure here
        // must not stop that (it only leaves the entry unpurged)
        for (String id : ids) {
            for (var listener : finishListeners) {
                try {
                    listener.accept(id, now);
                } catch (RuntimeException e) {
                    LOG.warn("outbox: a listener of finished entry {} failed: {}", id, e.toString());
                }
            }
        }
    }

    /** Not now: try again at {@code next}. */
    public void defer(String id, Instant next, String error) {
        outbox.updateOne(eq("_id", id), Updates.combine(Updates.inc("attempts", 1),
                Updates.set("nextAttemptAt", Date.from(next)), Updates.set("lastError", error)));
    }

    public long countByStatus(OutboxEntry.Status status) {
        return outbox.countDocuments(eq("status", status.name()));
    }

    /** Whether an operation of this kind for this device (or stream) is still on its way. */
    public boolean inFlight(OutboxEntry.Op op, String deviceId, Instant now) {
        return openEntries(now).stream().anyMatch(e -> e.op() == op && e.deviceId().equals(deviceId));
    }

    private static Long longOrNull(Document d, String field) {
        Number n = (Number) d.get(field);
        return n == null ? null : n.longValue();
    }

    private static OutboxEntry fromDocument(Document d) {
        Binary kem = d.get("kemPublicKey", Binary.class);
        Binary sig = d.get("sigPublicKey", Binary.class);
        Number nonce = (Number) d.get("nonce");
        return new OutboxEntry(d.getString("_id"), OutboxEntry.Op.valueOf(d.getString("op")), d.getString("deviceId"),
                d.getString("deviceIdHash"), d.getString("commitment"), kem == null ? null : kem.getData(),
                sig == null ? null : sig.getData(), longOrNull(d, "firstSeq"), longOrNull(d, "lastSeq"),
                OutboxEntry.Status.valueOf(d.getString("status")),
                nonce == null ? null : nonce.longValue(), d.getString("rawTx"), d.getString("txHash"),
                ((Number) d.get("attempts")).intValue(), d.getDate("createdAt").toInstant(),
                d.getDate("nextAttemptAt").toInstant(), d.getString("lastError"), d.getList("members", String.class),
                d.getString("batchId"), Boolean.TRUE.equals(d.getBoolean("alone")));
    }
}
