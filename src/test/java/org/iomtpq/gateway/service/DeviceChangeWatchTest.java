package org.iomtpq.gateway.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import org.iomtpq.gateway.embedded.EmbeddedMongo;
import org.iomtpq.gateway.protocol.SessionState;
import org.iomtpq.gateway.store.DeviceChanges;
import org.iomtpq.gateway.store.SessionRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two instances' caches on one store: a device revoked through instance A is read again by instance B at B's next
 * poll, without B re-reading any session on a timer of its own; B's other devices stay cached.
 */
class DeviceChangeWatchTest {

    private final EmbeddedMongo mongo = EmbeddedMongo.startInMemory();
    private final MongoClient client = MongoClients.create(mongo.connectionString());
    private final AtomicInteger deviceReads = new AtomicInteger();
    private volatile boolean d1Revoked;

    @AfterEach
    void stop() {
        client.close();
        mongo.close();
    }

    private LiveSessions cacheOfInstanceB() {
        return new LiveSessions(id -> Optional.of(session(id, id.equals("s1") ? "D1" : "D2")), deviceId -> {
            deviceReads.incrementAndGet();
            return new LiveSessions.DeviceView(deviceId.equals("D1") && d1Revoked, "0xc0");
        }, id -> 0L, () -> 1_000L, Long.MAX_VALUE / 4, 1_000); // no recheck by time at all
    }

    private static SessionRecord session(String id, String deviceId) {
        Instant t = Instant.parse("2026-11-23T20:00:00Z");
        return new SessionRecord(id, deviceId, "0xc0", "gw", SessionState.AUTHENTICATED, t, t, "2026-11-24T20:00:00Z",
                t.plusSeconds(86_400), 1_000, null, null, new byte[32], new byte[32], null, 0);
    }

    @Test
    void aRevocationOnAnotherInstanceReachesThisCacheAtTheNextPoll() {
        LiveSessions cacheB = cacheOfInstanceB();
        DeviceChangeWatch watchA = watch("gw/a", emptyCache());
        DeviceChangeWatch watchB = watch("gw/b", cacheB);
        assertEquals(false, cacheB.snapshot("s1").orElseThrow().deviceRevoked());
        cacheB.snapshot("s2");
        assertEquals(2, deviceReads.get());

        d1Revoked = true;          // instance A stores the revocation ...
        watchA.announce("D1");     // ... and announces it
        assertEquals(false, cacheB.snapshot("s1").orElseThrow().deviceRevoked(), "before B's poll: still cached");
        watchB.poll();

        assertEquals(true, cacheB.snapshot("s1").orElseThrow().deviceRevoked(), "after B's poll: read again");
        cacheB.snapshot("s2");
        assertEquals(3, deviceReads.get(), "only the changed device was read again");
        watchB.poll();
        cacheB.snapshot("s1");
        assertEquals(3, deviceReads.get(), "a poll with nothing new drops nothing");
    }

    private DeviceChangeWatch watch(String reader, LiveSessions cache) {
        return new DeviceChangeWatch(new DeviceChanges(client.getDatabase("iomt")), cache, reader, java.time.Clock.systemUTC());
    }

    private static LiveSessions emptyCache() {
        return new LiveSessions(id -> Optional.empty(), d -> LiveSessions.DeviceView.UNKNOWN, id -> 0L, () -> 0L, 0, 10);
    }

    @Test
    void aRevokingInstanceLearnsWhenEveryOtherLiveInstanceHasAppliedItsChange() throws Exception {
        DeviceChangeWatch watchA = watch("gw/a", emptyCache());
        DeviceChangeWatch watchB = watch("gw/b", cacheOfInstanceB());
        DeviceChangeWatch watchC = watch("gw/c", emptyCache());
        assertEquals(java.util.List.of(), watchA.awaitOthers(java.time.Duration.ZERO), "nothing announced yet");

        watchA.announce("D1");
        assertEquals(java.util.List.of("gw/b", "gw/c"), watchA.awaitOthers(java.time.Duration.ofMillis(100)),
                "neither has polled since");
        watchB.poll();
        assertEquals(java.util.List.of("gw/c"), watchA.awaitOthers(java.time.Duration.ZERO));
        Thread poller = new Thread(() -> {
            sleepQuietly(200);
            watchC.poll();
        });
        poller.start();
        long started = System.nanoTime();
        assertEquals(java.util.List.of(), watchA.awaitOthers(java.time.Duration.ofSeconds(5)), "C polls meanwhile");
        assertTrue((System.nanoTime() - started) / 1_000_000 < 5_000, "returned once C had applied it, not at the limit");
        poller.join();
    }

    @Test
    void anInstanceThatStoppedCleanlyIsNotWaitedFor() throws Exception {
        DeviceChangeWatch watchA = watch("gw/a", emptyCache());
        DeviceChangeWatch watchB = watch("gw/b", emptyCache());
        watchA.announce("D1");
        assertEquals(java.util.List.of("gw/b"), watchA.awaitOthers(java.time.Duration.ZERO), "B is live and behind");

        watchB.leave();

        assertEquals(java.util.List.of(), watchA.awaitOthers(java.time.Duration.ZERO), "B stopped: nothing to wait for");
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
