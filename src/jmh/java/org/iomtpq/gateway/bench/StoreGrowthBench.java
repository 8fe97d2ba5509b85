package org.iomtpq.gateway.bench;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import org.bson.Document;
import org.iomtpq.gateway.embedded.StoreFormat;
import org.iomtpq.gateway.protocol.SessionState;
import org.iomtpq.gateway.store.MongoSchema;
import org.iomtpq.gateway.store.OutboxEntry;
import org.iomtpq.gateway.store.OutboxRepository;
import org.iomtpq.gateway.store.SessionRecord;
import org.iomtpq.gateway.store.SessionRepository;
import org.iomtpq.gateway.store.StoredSeqs;
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
 * Store work that runs again and again while collections only grow, on the embedded MongoDB (H2 file backend), with
 * {@code stored} sessions and {@code stored} finished outbox entries already there: the session writes of a handshake
 * (store the pending session at hello, read it and mark it authenticated at finished), and the outbox relay's "what is
 * due" (twice a second in chain mode), a revocation ending a device's sessions, and the stored-seq ranges the
 * observation writer records per batch. None may grow with {@code stored}: the embedded server answers a filter from
 * an index only when the filter has exactly the index's fields, and scans everything otherwise. Each is also measured
 * the way it was done before (the multi-field filters), kept here only for the comparison.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class StoreGrowthBench {

    @Param({"1000", "50000"})
    public int stored;

    /** The H2 file's format: the one every new store gets (BSON), or the one older versions wrote (LEGACY). */
    @Param({"LEGACY", "BSON"})
    public StoreFormat format;

    private BenchStore store;
    private SessionRepository sessions;
    private MongoCollection<Document> collection;
    private StoredSeqs storedSeqs;
    private OutboxRepository outbox;
    private MongoCollection<Document> outboxCollection;
    private long next;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        store = BenchStore.open("iomt-bench-sessions", format); // the H2 file backend, in the format measured
        MongoDatabase db = store.db();
        MongoSchema.ensureIndexes(db);
        sessions = new SessionRepository(db);
        collection = db.getCollection("sessions");
        storedSeqs = new StoredSeqs(db);
        Instant now = Instant.now();
        for (int i = 0; i < stored; i++) {
            sessions.insertPending(pending("stored-" + i, now));
        }
        outbox = new OutboxRepository(db);
        outboxCollection = db.getCollection("outbox");
        List<Document> confirmed = new ArrayList<>();
        for (int i = 0; i < stored; i++) { // finished anchors, as the outbox keeps them (no marker)
            confirmed.add(new Document("_id", "anchor/gateway-01/bench/" + i).append("op", "ANCHOR")
                    .append("deviceId", "gateway-01/bench").append("commitment", "0x" + "ab".repeat(32))
                    .append("firstSeq", i * 10L + 1).append("lastSeq", i * 10L + 10).append("status", "CONFIRMED")
                    .append("nonce", (long) i).append("rawTx", "0x" + "cd".repeat(180)).append("txHash", "0x" + "ef".repeat(32))
                    .append("attempts", 0).append("createdAt", Date.from(now)).append("nextAttemptAt", Date.from(now))
                    .append("lastError", "block " + i));
            if (confirmed.size() == 1_000 || i == stored - 1) {
                outboxCollection.insertMany(confirmed);
                confirmed.clear();
            }
        }
        for (int i = 0; i < 3; i++) {
            outbox.add(OutboxEntry.pending(OutboxEntry.Op.REGISTER, "BP_MONITOR_" + i, "0x02", "0xc0", new byte[8], new byte[8], now));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        store.close();
    }

    @Benchmark
    public boolean sessionWritesOfAHandshake() {
        Instant now = Instant.now();
        String id = "bench-" + next++;
        sessions.insertPending(pending(id, now));
        return succeeded(sessions.authenticate(sessions.find(id).orElseThrow(), now));
    }

    /**
     * The same, with the filter the session store used before revisions (still what MongoDB itself would answer from
     * the _id index): the embedded server does not, and scans. Kept here only for the comparison.
     */
    @Benchmark
    public boolean sessionWritesOfAHandshakeWithTheMultiFieldFilter() {
        Instant now = Instant.now();
        String id = "bench-" + next++;
        sessions.insertPending(pending(id, now));
        SessionRecord seen = sessions.find(id).orElseThrow();
        return succeeded(collection.updateOne(
                Filters.and(Filters.eq("_id", id), Filters.eq("state", "ENCAPSULATED"),
                        Filters.eq("keyCommitment", seen.keyCommitment()), Filters.gt("handshakeDeadline", Date.from(now)),
                        Filters.eq("endedReason", null)),
                Updates.combine(Updates.set("state", "AUTHENTICATED"), Updates.unset("finishedKeyWrapped"),
                        Updates.unset("transcriptHash"))).getModifiedCount() == 1);
    }

    /**
     * A revocation's session ending (issue 9): the device's sessions found through {@code device_sessions} and ended
     * by id, among {@code stored} sessions of other devices.
     */
    @Benchmark
    public long revocationEndsTheDevicesSessions() {
        Instant now = Instant.now();
        String device = "REVOKED_" + next;
        sessions.insertPending(pending("bench-" + next++, now, device));
        long ended = sessions.endAllForRevocation(device, now);
        if (ended != 1) {
            throw new IllegalStateException("expected to end 1 session, ended " + ended);
        }
        return ended;
    }

    /** The same with the filter used before (updateMany on deviceId): kept only for the comparison. */
    @Benchmark
    public long revocationEndsTheDevicesSessionsWithUpdateMany() {
        Instant now = Instant.now();
        String device = "REVOKED_" + next;
        sessions.insertPending(pending("bench-" + next++, now, device));
        long ended = collection.updateMany(Filters.and(Filters.eq("deviceId", device), Filters.ne("endedReason", "REVOKED"),
                        Filters.in("state", "ENCAPSULATED", "AUTHENTICATED")),
                Updates.combine(Updates.set("endedReason", "REVOKED"), Updates.inc("revision", 1L))).getModifiedCount();
        if (ended != 1) {
            throw new IllegalStateException("expected to end 1 session, ended " + ended);
        }
        return ended;
    }

    /** What the observation writer adds per batch: the stored-seq ranges of 100 sessions, one command. */
    @Benchmark
    public int storedSeqRangesOfABatchOf100Sessions() {
        java.util.Map<String, StoredSeqs.Range> ranges = new java.util.HashMap<>();
        long seq = next++;
        for (int i = 0; i < 100; i++) {
            ranges.put("stored-" + i, new StoredSeqs.Range(1, seq));
        }
        storedSeqs.widen(ranges);
        return ranges.size();
    }

    /** A benchmark that measured a change that did not happen would measure nothing. */
    private static boolean succeeded(boolean changed) {
        if (!changed) {
            throw new IllegalStateException("the session was not marked authenticated");
        }
        return true;
    }

    @Benchmark
    public List<OutboxEntry> outboxDue() {
        List<OutboxEntry> due = outbox.due(Instant.now(), 50);
        if (due.size() != 3) {
            throw new IllegalStateException("expected the 3 open entries, got " + due.size());
        }
        return due;
    }

    /** The relay's query before the open markers (MongoDB itself could use an index on status; the embedded server does not). */
    @Benchmark
    public List<Document> outboxDueWithTheMultiFieldFilter() {
        List<Document> due = outboxCollection.find(Filters.and(Filters.in("status", "PENDING", "SIGNED"),
                        Filters.lte("nextAttemptAt", new Date()))).sort(Sorts.ascending("createdAt", "_id")).limit(50)
                .into(new ArrayList<>());
        if (due.size() != 3) {
            throw new IllegalStateException("expected the 3 open entries, got " + due.size());
        }
        return due;
    }

    private static SessionRecord pending(String id, Instant now) {
        return pending(id, now, "BP_MONITOR_" + (id.hashCode() & 1023));
    }

    private static SessionRecord pending(String id, Instant now, String deviceId) {
        return new SessionRecord(id, deviceId, "0xc0ffee", "gateway-01",
                SessionState.ENCAPSULATED, now, now.plusSeconds(30), "2026-11-25T00:00:00Z", now.plusSeconds(86_400),
                1_000_000, new byte[32], new byte[60], new byte[60], new byte[60], null, 0);
    }
}
