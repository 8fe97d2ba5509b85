package org.iomtpq.gateway.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import org.bson.Document;

/**
 * {@code session_seqs}: per session, the lowest and highest seq stored ({@code {_id: sessionId, first, top}}), kept by
 * the observation writer with one statement per session per batch. {@code top} is the top of the replay window
 * (PROTOCOL.md §6: "seq > highest stored - 64"); {@code first..top} is where retention finds the session's
 * observations. Nobody ever sorts observations to learn either: the embedded server answers such a sort by reading
 * every stored observation. Documents of their own, not fields of the session: the embedded server rewrites a whole
 * document per update, and these two numbers are written far more often than anything else about a session.
 */
public final class StoredSeqs {

    /** Stored seqs of one session, {@code first <= top}. */
    public record Range(long first, long top) {
    }

    private final MongoCollection<Document> seqs;

    public StoredSeqs(MongoDatabase db) {
        this.seqs = db.getCollection(Collections.SESSION_SEQS);
    }

    /**
     * Widens each session's range to cover the given one; one command for the whole batch. {@code $min}/{@code $max}
     * never narrow a range, so writers of several instances may race.
     */
    public void widen(Map<String, Range> bySession) {
        if (bySession.isEmpty()) {
            return;
        }
        List<UpdateOneModel<Document>> updates = new ArrayList<>(bySession.size());
        UpdateOptions upsert = new UpdateOptions().upsert(true);
        bySession.forEach((sessionId, r) -> updates.add(new UpdateOneModel<>(new Document("_id", sessionId),
                Updates.combine(Updates.min("first", r.first()), Updates.max("top", r.top())), upsert)));
        seqs.bulkWrite(updates, new BulkWriteOptions().ordered(false));
    }

    public Optional<Range> find(String sessionId) {
        Document d = seqs.find(new Document("_id", sessionId)).first();
        return d == null ? Optional.empty()
                : Optional.of(new Range(((Number) d.get("first")).longValue(), ((Number) d.get("top")).longValue()));
    }

    /** The recorded tops of the given sessions (one command, served by the {@code _id} index); absent: none recorded. */
    public Map<String, Long> tops(Collection<String> sessionIds) {
        Map<String, Long> tops = new HashMap<>();
        for (Document d : seqs.find(Filters.in("_id", sessionIds)).projection(Projections.include("top"))) {
            tops.put(d.getString("_id"), ((Number) d.get("top")).longValue());
        }
        return tops;
    }

    /** Highest stored seq of a session, 0 if none. */
    public long top(String sessionId) {
        return find(sessionId).map(Range::top).orElse(0L);
    }

    public void delete(String sessionId) {
        seqs.deleteOne(new Document("_id", sessionId));
    }
}
