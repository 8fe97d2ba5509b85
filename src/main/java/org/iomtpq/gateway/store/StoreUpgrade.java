package org.iomtpq.gateway.store;

import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import org.bson.Document;

/**
 * Once per database, at start: what a database written by an older version lacks for the sessions still live in it —
 * their entries in {@code device_sessions} (so a revocation or rotation right after the upgrade ends them) and their
 * stored-seq ranges in {@code session_seqs} (so their replay window does not restart at 0). One scan of
 * {@code sessions} and one of {@code observations}; a marker (an {@code _id} no deviceId can have) records that it was
 * done. Instances of the older version must be stopped first (README "Multiple gateways").
 */
public final class StoreUpgrade {

    private static final Document DONE = new Document("_id", "$upgraded-sessions");

    private StoreUpgrade() {
    }

    /** Returns how many live sessions were brought up to date (0 when already done). */
    public static int liveSessions(MongoDatabase db, Instant now) {
        MongoCollection<Document> marks = db.getCollection(Collections.DEVICE_SESSIONS);
        if (marks.find(DONE).first() != null) {
            return 0;
        }
        DeviceSessionIndex index = new DeviceSessionIndex(db);
        Map<String, StoredSeqs.Range> ranges = new HashMap<>();
        int live = 0;
        for (Document s : db.getCollection(Collections.SESSIONS).find(Filters.gt("expiresAtDate", Date.from(now)))) {
            index.addStoredBefore(s.getString("deviceId"), s.getString("_id"), s.getDate("expiresAtDate"));
            ranges.put(s.getString("_id"), null);
            live++;
        }
        if (!ranges.isEmpty()) {
            for (Document o : db.getCollection(Collections.OBSERVATIONS).find()
                    .projection(Projections.include("sessionId", "seq"))) {
                String sessionId = o.getString("sessionId");
                if (ranges.containsKey(sessionId)) {
                    long seq = ((Number) o.get("seq")).longValue();
                    StoredSeqs.Range r = ranges.get(sessionId);
                    ranges.put(sessionId, r == null ? new StoredSeqs.Range(seq, seq)
                            : new StoredSeqs.Range(Math.min(r.first(), seq), Math.max(r.top(), seq)));
                }
            }
            ranges.values().removeIf(java.util.Objects::isNull);
            new StoredSeqs(db).widen(ranges);
        }
        marks.insertOne(new Document(DONE).append("at", Date.from(now)));
        return live;
    }
}
