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
 * {@code _id}. Expired entries are dropped whenever a session is added, so a list holds at most the sessions a device
 * started within one session lifetime. An entry without a session (a crash between the two writes) is harmless: the
 * session it names does not exist, and ending it does nothing.
 */
public final class DeviceSessionIndex {

    private final MongoCollection<Document> index;

    public DeviceSessionIndex(MongoDatabase db) {
        this.index = db.getCollection(Collections.DEVICE_SESSIONS);
    }

    /** Before the session itself is stored: adds it, and drops the device's expired entries, in one command. */
    public void add(String deviceId, String sessionId, Instant expiresAt, Instant now) {
        Document byId = new Document("_id", deviceId);
        index.bulkWrite(List.of(
                new UpdateOneModel<>(byId, Updates.pull("sessions", lt("expiresAt", Date.from(now)))),
                new UpdateOneModel<>(byId, Updates.push("sessions",
                        new Document("id", sessionId).append("expiresAt", Date.from(expiresAt))),
                        new UpdateOptions().upsert(true))));
    }

    /**
     * Once per database: indexes the unexpired sessions stored before this index existed, so that a revocation or
     * rotation right after an upgrade still ends them. One scan of {@code sessions}, at start only; a marker (an
     * {@code _id} no deviceId can have) records that it was done.
     */
    public int indexSessionsStoredBefore(MongoCollection<Document> sessions, Instant now) {
        Document done = new Document("_id", "$indexed");
        if (index.find(done).first() != null) {
            return 0;
        }
        int added = 0;
        for (Document s : sessions.find(com.mongodb.client.model.Filters.gt("expiresAtDate", Date.from(now)))) {
            index.updateOne(new Document("_id", s.getString("deviceId")), Updates.addToSet("sessions",
                    new Document("id", s.getString("_id")).append("expiresAt", s.getDate("expiresAtDate"))),
                    new UpdateOptions().upsert(true));
            added++;
        }
        index.insertOne(done.append("at", Date.from(now)));
        return added;
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
