package org.iomtpq.gateway.store;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.lt;
import static com.mongodb.client.model.Filters.or;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import org.bson.Document;

/**
 * {@code stream_leases}: which live process appends to an audit stream (PROTOCOL.md §10: an instance refuses to
 * start on a stream another live instance holds). A lease is live while its holder keeps renewing it.
 */
public final class StreamLeaseRepository {

    private final MongoCollection<Document> leases;

    public StreamLeaseRepository(MongoDatabase db) {
        this.leases = db.getCollection(Collections.STREAM_LEASES);
    }

    /** Takes or renews the lease; false if another holder renewed it within {@code ttl}. */
    public boolean acquire(String stream, String holder, Instant now, Duration ttl) {
        try {
            // Matches our own or an expired lease; otherwise the upsert collides on _id with the live one.
            leases.updateOne(
                    and(eq("_id", stream), or(eq("holder", holder), lt("renewedAt", Date.from(now.minus(ttl))))),
                    Updates.combine(Updates.set("holder", holder), Updates.set("renewedAt", Date.from(now))),
                    new UpdateOptions().upsert(true));
            return true;
        } catch (com.mongodb.MongoWriteException e) {
            if (e.getError().getCode() == 11000) {
                return false; // the upsert collided with another holder's live lease
            }
            throw e;
        }
    }

    public void release(String stream, String holder) {
        leases.deleteOne(and(eq("_id", stream), eq("holder", holder)));
    }
}
