package org.iomtpq.gateway.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.iomtpq.gateway.store.StreamLeaseRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which instance does a duty that must run in one instance at a time: relaying the outbox, and (with its own lease)
 * the FHIR export. Which instance relays the outbox. Instances sharing one MongoDB share one outbox, but each signs with its own
 * Ethereum account: two relays seeing the same open entry would both sign and send it, and the one whose
 * transaction reverts (the registry refuses a second registration) would record the operation as failed although the
 * other's was mined. So one instance relays at a time, under a lease in {@code stream_leases}; the others answer
 * requests as usual and take over when the lease runs out (at most {@code ttl} after the relaying instance died).
 * <p>
 * The lease is recorded under this instance's audit stream, which one live process holds at a time
 * ({@link AuditStreamLease}): a lease under our own stream is a dead predecessor's, taken back at once after a restart.
 */
public final class RelayLeadership implements AutoCloseable {

    static final String LEASE = "outbox-relay";
    private static final Logger LOG = LoggerFactory.getLogger(RelayLeadership.class);

    private final StreamLeaseRepository leases;
    private final String lease;
    private final String duty;
    private final String stream;
    private final Duration ttl;
    private final Clock clock;
    private final String holder = UUID.randomUUID().toString();
    private Instant renewAfter = Instant.MIN;
    private boolean leading;

    /** {@code ttl}: how long the lease lives unrenewed; it is renewed once a third of it has passed. */
    public RelayLeadership(StreamLeaseRepository leases, String stream, Duration ttl, Clock clock) {
        this(leases, LEASE, "outbox relay", stream, ttl, clock);
    }

    /** @param lease the lease's name in {@code stream_leases}; @param duty what it is for, in log lines */
    public RelayLeadership(StreamLeaseRepository leases, String lease, String duty, String stream, Duration ttl,
                           Clock clock) {
        this.leases = leases;
        this.lease = lease;
        this.duty = duty;
        this.stream = stream;
        this.ttl = ttl;
        this.clock = clock;
    }

    /**
     * Whether this instance relays now; takes or renews the lease when due (one write per third of the TTL). A round
     * must end within two thirds of the TTL of this call, so that no other instance can have taken over meanwhile.
     */
    public synchronized boolean leads() {
        Instant now = clock.instant();
        if (leading && now.isBefore(renewAfter)) {
            return true;
        }
        boolean nowLeading = tryAcquire(now);
        if (nowLeading) {
            renewAfter = now.plus(ttl.dividedBy(3));
        }
        if (nowLeading != leading) {
            LOG.info(nowLeading ? "{}: this instance ({}) does it now"
                    : "{}: another instance does it (this one, {}, takes over if it stops)", duty, stream);
        }
        leading = nowLeading;
        return nowLeading;
    }

    private boolean tryAcquire(Instant now) {
        try {
            return leases.acquire(lease, holder, stream, now, ttl) || leases.takeBackOwn(lease, holder, stream, now);
        } catch (RuntimeException e) {
            LOG.warn("{}: its lease could not be read or renewed ({}); not this round", duty, e.toString());
            return false;
        }
    }

    /** A clean stop: another instance may relay at once. */
    @Override
    public synchronized void close() {
        if (leading) {
            try {
                leases.release(lease, holder);
            } catch (RuntimeException e) {
                LOG.warn("{}: releasing its lease failed ({}); another instance takes over within {} s",
                        duty, e.toString(), ttl.toSeconds());
            }
            leading = false;
        }
    }
}
