package org.iomtpq.gateway.store;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.in;
import static com.mongodb.client.model.Filters.lte;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;

import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import org.bson.Document;
import org.bson.types.Binary;

/** {@code outbox}: chain operations on their way to the registry, shared by nothing but this gateway's account. */
public final class OutboxRepository {

    private final MongoCollection<Document> outbox;

    public OutboxRepository(MongoDatabase db) {
        this.outbox = db.getCollection(Collections.OUTBOX);
    }

    /** Adds an operation; adding the same operation twice (same id) is a no-op. */
    public void add(OutboxEntry e) {
        try {
            outbox.insertOne(new Document("_id", e.id()).append("op", e.op().name()).append("deviceId", e.deviceId())
                    .append("deviceIdHash", e.deviceIdHash()).append("commitment", e.commitment())
                    .append("kemPublicKey", e.kemPublicKey() == null ? null : new Binary(e.kemPublicKey()))
                    .append("sigPublicKey", e.sigPublicKey() == null ? null : new Binary(e.sigPublicKey()))
                    .append("firstSeq", e.firstSeq()).append("lastSeq", e.lastSeq())
                    .append("status", e.status().name()).append("nonce", e.nonce()).append("rawTx", e.rawTx())
                    .append("txHash", e.txHash()).append("attempts", e.attempts())
                    .append("createdAt", Date.from(e.createdAt())).append("nextAttemptAt", Date.from(e.nextAttemptAt()))
                    .append("lastError", e.lastError()));
        } catch (MongoWriteException ex) {
            if (ex.getError().getCode() != 11000) {
                throw ex;
            }
        }
    }

    /** Operations still to do, oldest first. */
    public List<OutboxEntry> due(Instant now, int limit) {
        List<OutboxEntry> out = new ArrayList<>();
        outbox.find(and(in("status", OutboxEntry.Status.PENDING.name(), OutboxEntry.Status.SIGNED.name()),
                        lte("nextAttemptAt", Date.from(now))))
                .sort(Sorts.ascending("createdAt", "_id")).limit(limit).forEach(d -> out.add(fromDocument(d)));
        return out;
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

    /** Back to unsigned: the nonce was taken by another transaction, sign again. */
    public void resetToPending(String id, String reason) {
        outbox.updateOne(eq("_id", id), Updates.combine(Updates.set("status", OutboxEntry.Status.PENDING.name()),
                Updates.set("nonce", null), Updates.set("rawTx", null), Updates.set("txHash", null),
                Updates.set("lastError", reason)));
    }

    public void finish(String id, OutboxEntry.Status status, String detail, Instant now) {
        outbox.updateOne(eq("_id", id), Updates.combine(Updates.set("status", status.name()),
                Updates.set("lastError", detail), Updates.set("finishedAt", Date.from(now))));
    }

    /** Not now: try again at {@code next}. */
    public void defer(String id, Instant next, String error) {
        outbox.updateOne(eq("_id", id), Updates.combine(Updates.inc("attempts", 1),
                Updates.set("nextAttemptAt", Date.from(next)), Updates.set("lastError", error)));
    }

    /** The highest nonce this gateway ever signed with, or -1. */
    public long maxSignedNonce() {
        Document d = outbox.find(com.mongodb.client.model.Filters.ne("nonce", null)).sort(Sorts.descending("nonce")).limit(1).first();
        return d == null ? -1 : ((Number) d.get("nonce")).longValue();
    }

    public long countByStatus(OutboxEntry.Status status) {
        return outbox.countDocuments(eq("status", status.name()));
    }

    /** Whether an operation of this kind for this device (or stream) is still on its way. */
    public boolean inFlight(OutboxEntry.Op op, String deviceId) {
        return outbox.countDocuments(and(eq("op", op.name()), eq("deviceId", deviceId),
                in("status", OutboxEntry.Status.PENDING.name(), OutboxEntry.Status.SIGNED.name()))) > 0;
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
                d.getDate("nextAttemptAt").toInstant(), d.getString("lastError"));
    }
}
