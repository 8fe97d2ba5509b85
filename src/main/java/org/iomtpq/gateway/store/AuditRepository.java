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
