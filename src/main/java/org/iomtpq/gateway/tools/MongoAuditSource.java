package org.iomtpq.gateway.tools;

import static com.mongodb.client.model.Filters.eq;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.MongoException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Sorts;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.iomtpq.gateway.audit.AuditEntry;
import org.iomtpq.gateway.store.Collections;

/**
 * Reads {@code audit_logs} with the driver directly: one query per stream sorted by seq, streamed through a cursor in
 * large batches, each document converted once into the only list that is kept.
 */
final class MongoAuditSource implements AuditSource {

    private static final int BATCH = 10_000;

    private final String redactedUri;
    private final String database;
    private final MongoClient client;
    private final MongoCollection<Document> audit;

    MongoAuditSource(String uri, String database) {
        ConnectionString cs;
        try {
            cs = new ConnectionString(uri);
        } catch (IllegalArgumentException e) {
            throw new SourceException("not a MongoDB connection string: " + e.getMessage(), e);
        }
        this.redactedUri = cs.getHosts().toString();
        this.database = database;
        // A short server-selection wait so that a wrong URI fails in seconds, not after the driver's 30 s default
        // (a serverSelectionTimeoutMS in the URI still wins: it is applied afterwards).
        MongoClientSettings settings = MongoClientSettings.builder()
                .applyToClusterSettings(b -> b.serverSelectionTimeout(5, TimeUnit.SECONDS))
                .applyConnectionString(cs).build();
        this.client = MongoClients.create(settings);
        this.audit = client.getDatabase(database).getCollection(Collections.AUDIT_LOGS);
    }

    @Override
    public String describe() {
        return "MongoDB " + redactedUri + " database " + database;
    }

    @Override
    public List<String> streams(String only) {
        if (only != null) {
            return List.of(only);
        }
        try {
            List<String> out = new ArrayList<>();
            audit.distinct("stream", String.class).forEach(out::add);
            out.sort(String::compareTo);
            return out;
        } catch (MongoException e) {
            throw new SourceException("cannot list the audit streams: " + e.getMessage(), e);
        }
    }

    @Override
    public Loaded read(String stream) {
        StoredEntryReader reader = new StoredEntryReader();
        List<AuditEntry> entries = new ArrayList<>();
        try (MongoCursor<Document> cursor = audit.find(eq("stream", stream)).sort(Sorts.ascending("seq"))
                .projection(Projections.excludeId()).batchSize(BATCH).iterator()) {
            while (cursor.hasNext()) {
                Document doc = cursor.next();
                try {
                    entries.add(reader.read(doc));
                } catch (StoredEntryReader.MalformedEntry bad) {
                    long seq = bad.seq > 0 ? bad.seq : entries.isEmpty() ? 1 : entries.get(entries.size() - 1).seq() + 1;
                    return new Loaded(entries, seq, bad.getMessage());
                }
            }
        } catch (MongoException e) {
            throw new SourceException("cannot read audit stream " + stream + ": " + e.getMessage(), e);
        }
        return Loaded.complete(entries);
    }

    @Override
    public void close() {
        client.close();
    }
}
