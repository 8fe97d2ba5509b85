package org.iomtpq.gateway.store;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.gt;
import static com.mongodb.client.model.Filters.or;

import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.ReplaceOptions;
import org.bson.Document;
import org.bson.conversions.Bson;

/** {@code approvals}: an operator's one-time permission for an MQTT enrollment (PROTOCOL.md §3, §4). */
public final class ApprovalRepository {

    private final MongoCollection<Document> approvals;
    private final List<BiConsumer<String, Instant>> putListeners = new CopyOnWriteArrayList<>();

    public ApprovalRepository(MongoDatabase db) {
        this.approvals = db.getCollection(Collections.APPROVALS);
    }

    /**
     * Called with the device id and expiry of every approval just before it is stored: a failure there stores
     * nothing, and a note of an approval that was then not stored is harmless.
     */
    public void onPutting(BiConsumer<String, Instant> listener) {
        putListeners.add(listener);
    }

    /** A new approval replaces any earlier one for the device. {@code keyCommitment} may be null (unbound). */
    public void put(String deviceId, Instant expiresAt, String keyCommitment, Instant now) {
        putListeners.forEach(l -> l.accept(deviceId, expiresAt));
        approvals.replaceOne(eq("_id", deviceId), new Document("_id", deviceId)
                        .append("expiresAt", Date.from(expiresAt)).append("keyCommitment", keyCommitment)
                        .append("createdAt", Date.from(now)),
                new ReplaceOptions().upsert(true));
    }

    public boolean isValid(String deviceId, String keyCommitment, Instant now) {
        return approvals.countDocuments(matching(deviceId, keyCommitment, now)) > 0;
    }

    /** Consumes a matching approval; false if there was none (expired, other commitment, or used meanwhile). */
    public boolean consume(String deviceId, String keyCommitment, Instant now) {
        return approvals.deleteOne(matching(deviceId, keyCommitment, now)).getDeletedCount() == 1;
    }

    private static Bson matching(String deviceId, String keyCommitment, Instant now) {
        return and(eq("_id", deviceId), gt("expiresAt", Date.from(now)),
                or(eq("keyCommitment", null), eq("keyCommitment", keyCommitment)));
    }
}
