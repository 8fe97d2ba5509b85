package org.iomtpq.gateway.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import org.iomtpq.gateway.config.StartupException;
import org.iomtpq.gateway.store.StreamLeaseRepository;
import org.iomtpq.gateway.testsupport.InMemoryMongo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AuditStreamLeaseTest {

    private static final String STREAM = "gw/instance-1";
    private static final String OUR_LOCK = "host-a:/data/gw/gateway.lock";
    private final Clock clock = Clock.systemUTC();
    private InMemoryMongo mongo;
    private StreamLeaseRepository leases;

    @BeforeEach
    void setUp() {
        mongo = new InMemoryMongo();
        leases = new StreamLeaseRepository(mongo.db());
    }

    @AfterEach
    void tearDown() {
        mongo.close();
    }

    @Test
    void aLeaseLeftUnderOurOwnDataDirectoryLockIsTakenBackAtOnce() {
        // a process of this data directory renewed it a moment ago, then was killed (we hold its OS lock now)
        assertTrue(leases.acquire(STREAM, "dead-holder", OUR_LOCK, clock.instant(), Duration.ofSeconds(30)));
        long started = System.nanoTime();
        try (AuditStreamLease lease = AuditStreamLease.hold(leases, STREAM, OUR_LOCK, Duration.ofSeconds(30), clock)) {
            assertTrue(Duration.ofNanos(System.nanoTime() - started).toMillis() < 5_000, "no waiting for the TTL");
            assertEquals(OUR_LOCK, leases.find(STREAM).orElseThrow().lock());
            assertTrue(!"dead-holder".equals(leases.find(STREAM).orElseThrow().holder()));
        }
        assertTrue(leases.find(STREAM).isEmpty(), "released on close");
    }

    @Test
    void aLeaseAnotherLiveProcessRenewsIsWaitedForThenRefusedWithOneLine() {
        Duration ttl = Duration.ofSeconds(2);
        assertTrue(leases.acquire(STREAM, "live-holder", "host-b:/data/gw/gateway.lock", clock.instant(), ttl));
        Thread renewing = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                leases.acquire(STREAM, "live-holder", "host-b:/data/gw/gateway.lock", clock.instant(), ttl);
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        renewing.start();
        try {
            long started = System.nanoTime();
            StartupException e = assertThrows(StartupException.class,
                    () -> AuditStreamLease.hold(leases, STREAM, OUR_LOCK, ttl, clock));
            assertTrue(Duration.ofNanos(System.nanoTime() - started).toMillis() >= ttl.toMillis(), "waited for the TTL");
            assertEquals(StartupException.MISCONFIGURED, e.exitCode());
            assertTrue(e.getMessage().contains("host-b:/data/gw/gateway.lock") && !e.getMessage().contains("\n"), e.getMessage());
        } finally {
            renewing.interrupt();
        }
    }

    @Test
    void aLeaseWhoseHolderStoppedRenewingIsTakenWhenItExpires() {
        Duration ttl = Duration.ofSeconds(2);
        assertTrue(leases.acquire(STREAM, "gone-holder", "host-b:/data/gw/gateway.lock", clock.instant(), ttl));
        long started = System.nanoTime();
        try (AuditStreamLease lease = AuditStreamLease.hold(leases, STREAM, OUR_LOCK, ttl, clock)) {
            assertTrue(Duration.ofNanos(System.nanoTime() - started).toMillis() >= 1_000, "it was still live at first");
            assertEquals(OUR_LOCK, leases.find(STREAM).orElseThrow().lock());
        }
    }

    @Test
    void theHolderKeepsRenewing() throws Exception {
        Duration ttl = Duration.ofSeconds(1);
        try (AuditStreamLease lease = AuditStreamLease.hold(leases, STREAM, OUR_LOCK, ttl, clock)) {
            Instant first = leases.find(STREAM).orElseThrow().renewedAt();
            Thread.sleep(800);
            assertTrue(leases.find(STREAM).orElseThrow().renewedAt().isAfter(first), "renewed every third of the TTL");
            assertTrue(!leases.acquire(STREAM, "someone-else", "host-b:/x", clock.instant(), ttl), "still ours");
        }
    }
}
