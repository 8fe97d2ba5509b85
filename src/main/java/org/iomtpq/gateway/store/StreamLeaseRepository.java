package org.iomtpq.gateway.store;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.lt;
import static com.mongodb.client.model.Filters.or;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * {@code stream_leases}: which live process appends to an audit stream (PROTOCOL.md §10: an instance refuses to
 * start on a stream another live instance holds). A lease is live while its holder keeps renewing it. Each lease also
 * names the holder's data directory lock ({@code lock}, see {@code DataDirLock}): a process that holds that same OS
 * lock now knows the recorded holder is dead and may take the lease over at once instead of waiting for it to expire.
 */
public final class StreamLeaseRepository {

    /** The lease as stored: who holds it, under which data directory lock, renewed when. */
    public record Lease(String holder, String lock, Instant renewedAt) {
    }

    private final MongoCollection<Document> leases;

    public StreamLeaseRepository(MongoDatabase db) {
        this.leases = db.getCollection(Collections.STREAM_LEASES);
    }

    /** Takes or renews the lease; false if another holder renewed it within {@code ttl}. */
    public boolean acquire(String stream, String holder, String lock, Instant now, Duration ttl) {
        // Matches our own or an expired lease; otherwise the upsert collides on _id with the live one.
        return upsert(and(eq("_id", stream), or(eq("holder", holder), lt("renewedAt", Date.from(now.minus(ttl))))),
                holder, lock, now);
    }

    /** Takes the lease from {@code deadHolder} (compare-and-set: false if anyone else took or renewed it meanwhile). */
    public boolean takeOver(String stream, String deadHolder, String holder, String lock, Instant now) {
        return leases.updateOne(and(eq("_id", stream), eq("holder", deadHolder)), set(holder, lock, now))
                .getModifiedCount() == 1;
    }

    /**
     * Takes over a lease recorded under {@code lock} — a dead process's, when the caller holds that lock now (an OS
     * lock of the data directory, or an audit stream one live process holds at a time). False if the lease is under
     * another lock, or someone else took or renewed it meanwhile.
     */
    public boolean takeBackOwn(String stream, String holder, String lock, Instant now) {
        Optional<Lease> current = find(stream);
        return current.isPresent() && lock.equals(current.get().lock())
                && takeOver(stream, current.get().holder(), holder, lock, now);
    }

    public Optional<Lease> find(String stream) {
        Document d = leases.find(eq("_id", stream)).first();
        if (d == null) {
            return Optional.empty();
        }
        Date renewed = d.getDate("renewedAt");
        return Optional.of(new Lease(d.getString("holder"), d.getString("lock"),
                renewed == null ? Instant.EPOCH : renewed.toInstant()));
    }

    public void release(String stream, String holder) {
        leases.deleteOne(and(eq("_id", stream), eq("holder", holder)));
    }

    private boolean upsert(Bson filter, String holder, String lock, Instant now) {
        try {
            leases.updateOne(filter, set(holder, lock, now), new UpdateOptions().upsert(true));
            return true;
        } catch (com.mongodb.MongoWriteException e) {
            if (e.getError().getCode() == 11000) {
                return false; // the upsert collided with another holder's live lease
            }
            throw e;
        }
    }

    private static Bson set(String holder, String lock, Instant now) {
        return Updates.combine(Updates.set("holder", holder), Updates.set("lock", lock),
                Updates.set("renewedAt", Date.from(now)));
    }
}
