package org.iomtpq.gateway.bench;

import java.io.IOException;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoDatabase;
import org.iomtpq.gateway.embedded.StoreFormat;
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
 * The session writes of one handshake (pending session at hello, found and authenticated at finished) of a device that
 * already holds {@code liveSessions} unexpired authenticated sessions: a device that handshakes again every minute
 * (a sleeping sensor that wakes per reading, the soak's pattern) holds 1,440 of them after a day of 24 h sessions
 * (here: made one a minute up to the start of the run).
 * Must not grow with {@code liveSessions}: those sessions are the device's stored data.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class DeviceSessionsBench {

    private static final String DEVICE = "BP_MONITOR_0001";

    @Param({"1", "100", "1440"})
    public int liveSessions;

    private BenchStore store;
    private SessionRepository sessions;
    private long next;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        store = BenchStore.open("iomt-bench-device-sessions", StoreFormat.BSON); // the H2 file backend, in the format measured
        MongoDatabase db = store.db();
        MongoSchema.ensureIndexes(db);
        sessions = new SessionRepository(db);
        Instant start = Instant.now();
        for (int i = 0; i < liveSessions; i++) { // one a minute up to now, so the oldest is still live
            handshake("live-" + i, start.minusSeconds(59L * (liveSessions - i)));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        store.close();
    }

    @Benchmark
    public boolean sessionWritesOfAHandshake() {
        return handshake("bench-" + next++, Instant.now());
    }

    private boolean handshake(String id, Instant now) {
        sessions.insertPending(new SessionRecord(id, DEVICE, "0xc0ffee", "gateway-01", SessionState.ENCAPSULATED, now,
                now.plusSeconds(30), "2026-11-25T00:00:00Z", now.plusSeconds(86_400), 1_000_000, new byte[32],
                new byte[60], new byte[60], new byte[60], null, 0));
        if (!sessions.authenticate(sessions.find(id).orElseThrow(), now)) {
            throw new IllegalStateException("the benchmark's own session did not authenticate");
        }
        return true;
    }
}
