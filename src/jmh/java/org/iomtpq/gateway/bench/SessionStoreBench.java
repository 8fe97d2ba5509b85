package org.iomtpq.gateway.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.TimeUnit;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import org.bson.Document;
import org.iomtpq.gateway.config.EphemeralGateway;
import org.iomtpq.gateway.embedded.EmbeddedMongo;
import org.iomtpq.gateway.protocol.SessionState;
import org.iomtpq.gateway.store.MongoSchema;
import org.iomtpq.gateway.store.SessionRecord;
import org.iomtpq.gateway.store.SessionRepository;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The session store's part of a handshake on the embedded MongoDB: store the pending session (hello), read it and
 * mark it authenticated (finished), with {@code storedSessions} sessions already in the collection. Sessions are
 * never deleted, so this must not grow with the count: the embedded server answers a filter from an index only when
 * the filter has exactly the index's fields, and scanned every stored session when it did not (before revisions).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SessionStoreBench {

    @Param({"1000", "50000"})
    public int storedSessions;

    private Path dataDir;
    private EmbeddedMongo mongo;
    private MongoClient client;
    private SessionRepository sessions;
    private MongoCollection<Document> collection;
    private long next;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dataDir = Files.createTempDirectory("iomt-bench-sessions");
        mongo = EmbeddedMongo.start(dataDir, "127.0.0.1", 0); // the H2 file backend, as the gateway's default
        client = MongoClients.create(mongo.connectionString());
        MongoDatabase db = client.getDatabase("iomt");
        MongoSchema.ensureIndexes(db);
        sessions = new SessionRepository(db);
        collection = db.getCollection("sessions");
        for (int i = 0; i < storedSessions; i++) {
            sessions.insertPending(pending("stored-" + i, Instant.now()));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        client.close();
        mongo.close();
        EphemeralGateway.deleteTree(dataDir);
    }

    @Benchmark
    public boolean helloThenFinished() {
        Instant now = Instant.now();
        String id = "bench-" + next++;
        sessions.insertPending(pending(id, now));
        return sessions.authenticate(sessions.find(id).orElseThrow(), now);
    }

    /**
     * The same, with the filter the session store used before revisions (still what MongoDB itself would answer from
     * the _id index): the embedded server does not, and scans. Kept here only for the comparison.
     */
    @Benchmark
    public boolean helloThenFinishedWithTheMultiFieldFilter() {
        Instant now = Instant.now();
        String id = "bench-" + next++;
        sessions.insertPending(pending(id, now));
        SessionRecord seen = sessions.find(id).orElseThrow();
        return collection.updateOne(
                Filters.and(Filters.eq("_id", id), Filters.eq("state", "ENCAPSULATED"),
                        Filters.eq("keyCommitment", seen.keyCommitment()), Filters.gt("handshakeDeadline", Date.from(now)),
                        Filters.eq("endedReason", null)),
                Updates.combine(Updates.set("state", "AUTHENTICATED"), Updates.unset("finishedKeyWrapped"),
                        Updates.unset("transcriptHash"))).getModifiedCount() == 1;
    }

    private static SessionRecord pending(String id, Instant now) {
        return new SessionRecord(id, "BP_MONITOR_" + (id.hashCode() & 1023), "0xc0ffee", "gateway-01",
                SessionState.ENCAPSULATED, now, now.plusSeconds(30), "2026-11-25T00:00:00Z", now.plusSeconds(86_400),
                1_000_000, new byte[32], new byte[60], new byte[60], new byte[60], null, 0);
    }
}
