package org.iomtpq.gateway.service;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.iomtpq.gateway.store.StreamLeaseRepository;
import org.iomtpq.gateway.testsupport.InMemoryMongo;
import org.iomtpq.gateway.testsupport.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Instances sharing one outbox: one relays at a time; another takes over when it stops or its lease runs out. */
class RelayLeadershipTest {

    private static final Duration TTL = Duration.ofSeconds(30);
    private final InMemoryMongo mongo = new InMemoryMongo();
    private final StreamLeaseRepository leases = new StreamLeaseRepository(mongo.db());
    private final MutableClock clock = new MutableClock(java.time.Instant.parse("2026-12-03T10:00:00Z"));

    @AfterEach
    void stop() {
        mongo.close();
    }

    private RelayLeadership instance(String stream) {
        return new RelayLeadership(leases, stream, TTL, clock);
    }

    @Test
    void oneInstanceRelaysAndAnotherTakesOverWhenItStopsCleanly() {
        RelayLeadership a = instance("gw/a");
        RelayLeadership b = instance("gw/b");
        assertTrue(a.leads());
        assertFalse(b.leads(), "A holds the lease");
        clock.advance(Duration.ofSeconds(20));
        assertTrue(a.leads(), "renewed after a third of the TTL");
        clock.advance(Duration.ofSeconds(20));
        assertFalse(b.leads(), "A renewed it 20 s ago: still A's");

        a.close();

        assertTrue(b.leads(), "released on a clean stop: B relays at once");
    }

    @Test
    void aDeadRelaysLeaseRunsOutAfterTheTtl() {
        assertTrue(instance("gw/a").leads()); // A is killed: no renewal, no release
        RelayLeadership b = instance("gw/b");
        clock.advance(TTL.minusSeconds(1));
        assertFalse(b.leads());
        clock.advance(Duration.ofSeconds(2));
        assertTrue(b.leads());
    }

    @Test
    void aRestartedInstanceTakesItsOwnLeaseBackAtOnce() {
        assertTrue(instance("gw/a").leads()); // killed; the restart holds the same audit stream (one process per stream)
        RelayLeadership restarted = instance("gw/a");
        assertTrue(restarted.leads());
        assertFalse(instance("gw/b").leads());
    }
}
