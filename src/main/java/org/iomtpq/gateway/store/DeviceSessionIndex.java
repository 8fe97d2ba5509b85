package org.iomtpq.gateway.store;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.lt;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import org.bson.Document;

/**
 * {@code device_sessions}: one small document per device, {@code {_id: deviceId, sessions: [{id, expiresAt}]}}, listing
 * the device's sessions that have not expired yet. Revocation and rotation end a device's sessions by id through it.
 * <p>
 * Why: the embedded server answers a filter on a non-unique field (such as {@code sessions.deviceId}) by reading every
 * stored session, so "all sessions of this device" got slower with every handshake ever made. Every access here is by
 * {@code _id}. A pending handshake is listed only until its deadline (30 s: a hello needs no key, and a flood of them
 * must not grow this for a day), an authenticated session until it expires; expired entries are dropped whenever one
 * is added. So a list holds the device's authenticated sessions of one session lifetime plus the hellos of the last
 * half minute (rate limits bound those). An entry without a session (a crash between the two writes) is harmless: the
 * session it names does not exist, and ending it does nothing.
 */
public final class DeviceSessionIndex {

    private final MongoCollection<Document> index;

    public DeviceSessionIndex(MongoDatabase db) {
        this.index = db.getCollection(Collections.DEVICE_SESSIONS);
    }

    /**
     * Lists the session until {@code until} (replacing an earlier entry of it), and drops the device's expired
     * entries, in one command. Before the session itself is stored, and again when it is authenticated.
     */
    public void list(String deviceId, String sessionId, Instant until, Instant now) {
        Document byId = new Document("_id", deviceId);
        index.bulkWrite(List.of(
                new UpdateOneModel<>(byId, Updates.pull("sessions", lt("expiresAt", Date.from(now)))),
                new UpdateOneModel<>(byId, Updates.pull("sessions", new Document("id", sessionId))),
                new UpdateOneModel<>(byId, Updates.push("sessions",
                        new Document("id", sessionId).append("expiresAt", Date.from(until))),
                        new UpdateOptions().upsert(true))));
    }

    /** The upgrade of an older database: adds a session without dropping anything. */
    void addStoredBefore(String deviceId, String sessionId, Date expiresAt) {
        index.updateOne(new Document("_id", deviceId), Updates.addToSet("sessions",
                new Document("id", sessionId).append("expiresAt", expiresAt)), new UpdateOptions().upsert(true));
    }

    /** The device's sessions that had not expired at {@code now} (as far as this index knows). */
    public List<String> unexpired(String deviceId, Instant now) {
        Document d = index.find(eq("_id", deviceId)).first();
        List<String> out = new ArrayList<>();
        if (d == null) {
            return out;
        }
        for (Document s : d.getList("sessions", Document.class, List.of())) {
            if (s.getDate("expiresAt").toInstant().isAfter(now)) {
                out.add(s.getString("id"));
            }
        }
        return out;
    }
}
