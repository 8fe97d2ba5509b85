package org.iomtpq.gateway.store;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.gte;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Sorts;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.iomtpq.gateway.audit.AuditEntry;
import org.iomtpq.gateway.audit.AuditStatus;

/** {@code audit_logs}: the hash-chained audit streams, unique on {@code (stream, seq)}. */
public final class AuditRepository {

    private final MongoCollection<Document> audit;

    public AuditRepository(MongoDatabase db) {
        this.audit = db.getCollection(Collections.AUDIT_LOGS);
    }

    public void insertAll(List<AuditEntry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        List<Document> docs = new ArrayList<>(entries.size());
        entries.forEach(e -> docs.add(toDocument(e)));
        audit.insertMany(docs);
    }

    public Optional<AuditEntry> last(String stream) {
        return Optional.ofNullable(audit.find(eq("stream", stream)).sort(Sorts.descending("seq")).limit(1).first())
                .map(AuditRepository::fromDocument);
    }

    /**
     * The highest seq stored in {@code stream}, 0 if none, found with exact {@code (stream, seq)} lookups on the
     * unique index: galloping up from {@code knownStored} (a seq known to be stored, e.g. the last anchored one; 0
     * for none), then bisecting, so about 2·log2(distance) lookups instead of a sort. {@link #last} sorts, and the
     * embedded server answers that by reading every entry of the collection. Relies on a stream's seqs being
     * contiguous from 1, which its writer guarantees; a gap (a deleted entry) can make this stop below it, and the
     * callers check contiguity of what they then read anyway.
     */
    public long highestSeqFrom(String stream, long knownStored) {
        long low = knownStored > 0 && stored(stream, knownStored) ? knownStored : 0;
        long step = 1;
        while (stored(stream, low + step)) {
            low += step;
            step *= 2;
        }
        long high = low + step; // not stored
        while (high - low > 1) {
            long mid = low + (high - low) / 2;
            if (stored(stream, mid)) {
                low = mid;
            } else {
                high = mid;
            }
        }
        return low;
    }

    /**
     * Entries {@code first..last} of a stream in seq order, each fetched by its exact {@code (stream, seq)} (a timer
     * path: the range query of {@link #stream} reads the whole collection on the embedded server). A missing seq is
     * simply not in the list, so a caller sees the gap.
     */
    public List<AuditEntry> range(String stream, long first, long last) {
        List<AuditEntry> out = new ArrayList<>();
        for (long seq = first; seq <= last; seq++) {
            Document d = audit.find(new Document("stream", stream).append("seq", seq)).first();
            if (d != null) {
                out.add(fromDocument(d));
            }
        }
        return out;
    }

    private boolean stored(String stream, long seq) {
        // the plain document, not $and: the embedded server uses the unique index only for an exact match on its keys
        return audit.find(new Document("stream", stream).append("seq", seq)).projection(new Document("_id", 1)).first() != null;
    }

    public List<AuditEntry> newestForDevice(String deviceId, int limit) {
        return newest(eq("deviceId", deviceId), limit);
    }

    public List<AuditEntry> newestForGateway(String gatewayId, int limit) {
        return newest(eq("gatewayId", gatewayId), limit);
    }

    public List<AuditEntry> stream(String stream, long fromSeq, int limit) {
        List<AuditEntry> out = new ArrayList<>();
        audit.find(and(eq("stream", stream), gte("seq", fromSeq))).sort(Sorts.ascending("seq")).limit(limit)
                .forEach(d -> out.add(fromDocument(d)));
        return out;
    }

    public long count() {
        return audit.countDocuments();
    }

    public long countForDevice(String deviceId) {
        return audit.countDocuments(eq("deviceId", deviceId));
    }

    public long countForDevice(String deviceId, String eventType) {
        return audit.countDocuments(and(eq("deviceId", deviceId), eq("eventType", eventType)));
    }

    public Optional<String> lastTimestampForDevice(String deviceId) {
        return newestForDevice(deviceId, 1).stream().findFirst().map(AuditEntry::timestamp);
    }

    public List<String> gateways() {
        List<String> out = new ArrayList<>();
        audit.distinct("gatewayId", String.class).forEach(out::add);
        out.sort(String::compareTo);
        return out;
    }

    private List<AuditEntry> newest(Bson filter, int limit) {
        List<AuditEntry> out = new ArrayList<>();
        audit.find(filter).sort(Sorts.descending("timestamp", "seq")).limit(limit).forEach(d -> out.add(fromDocument(d)));
        return out;
    }

    static Document toDocument(AuditEntry e) {
        return new Document("stream", e.stream()).append("seq", e.seq()).append("prevHash", e.prevHash())
                .append("hash", e.hash()).append("eventType", e.eventType()).append("deviceId", e.deviceId())
                .append("gatewayId", e.gatewayId()).append("timestamp", e.timestamp())
                .append("status", e.status().name()).append("message", e.message());
    }

    static AuditEntry fromDocument(Document d) {
        return new AuditEntry(d.getString("stream"), ((Number) d.get("seq")).longValue(), d.getString("prevHash"),
                d.getString("hash"), d.getString("eventType"), d.getString("deviceId"), d.getString("gatewayId"),
                d.getString("timestamp"), AuditStatus.valueOf(d.getString("status")), d.getString("message"));
    }
}
