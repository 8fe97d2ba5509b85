package org.iomtpq.gateway.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.iomtpq.gateway.config.StartupException;
import org.iomtpq.gateway.store.StreamLeaseRepository;
import org.iomtpq.gateway.store.StreamLeaseRepository.Lease;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This process's lease on its audit stream (PROTOCOL.md §10: one live appender per stream), renewed while it runs and
 * released on close. At start: a lease recorded under this process's own data directory lock belongs to a dead
 * process (we hold that OS lock now), so it is taken back at once — a restart after {@code kill -9} serves
 * immediately. A lease of another live process is waited for until its TTL could have run out (log once); if it is
 * still renewed then, start-up fails with one line.
 */
public final class AuditStreamLease implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AuditStreamLease.class);
    private static final Duration RETRY = Duration.ofSeconds(1);

    private final StreamLeaseRepository leases;
    private final String stream;
    private final String holder = UUID.randomUUID().toString();
    private final String lock;
    private final Duration ttl;
    private final Clock clock;
    private ScheduledExecutorService renewal;

    private AuditStreamLease(StreamLeaseRepository leases, String stream, String lock, Duration ttl, Clock clock) {
        this.leases = leases;
        this.stream = stream;
        this.lock = lock;
        this.ttl = ttl;
        this.clock = clock;
    }

    /**
     * @param lock the id of the data directory lock this process holds ({@code DataDirLock#id})
     * @param ttl  how long a lease lives without renewal; also how long start-up waits for another holder
     */
    public static AuditStreamLease hold(StreamLeaseRepository leases, String stream, String lock, Duration ttl, Clock clock) {
        AuditStreamLease lease = new AuditStreamLease(leases, stream, lock, ttl, clock);
        lease.acquireOrWait();
        lease.renewEvery(ttl.dividedBy(3));
        return lease;
    }

    private void acquireOrWait() {
        Instant giveUpAt = clock.instant().plus(ttl);
        boolean told = false;
        while (true) {
            Instant now = clock.instant();
            if (leases.acquire(stream, holder, lock, now, ttl)) {
                return;
            }
            if (leases.takeBackOwn(stream, holder, lock, now)) {
                LOG.info("audit stream {}: took the lease back from a stopped process of this data directory ({})", stream, lock);
                return;
            }
            Optional<Lease> current = leases.find(stream);
            String other = current.map(l -> l.lock() == null ? "holder " + l.holder() : l.lock()).orElse("another instance");
            if (!now.isBefore(giveUpAt)) {
                throw new StartupException("audit stream " + stream + " is held by another running gateway (" + other
                        + "): stop it, or give this instance its own IOMT_DATA_DIR or IOMT_AUDIT_STREAM");
            }
            if (!told) {
                LOG.warn("audit stream {} is held by another running gateway ({}); waiting up to {} s for its lease to end",
                        stream, other, ttl.toSeconds());
                told = true;
            }
            pause();
        }
    }

    private void renewEvery(Duration period) {
        renewal = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "audit-stream-lease");
            t.setDaemon(true);
            return t;
        });
        long millis = Math.max(100, period.toMillis());
        renewal.scheduleAtFixedRate(this::renew, millis, millis, TimeUnit.MILLISECONDS);
    }

    private void renew() {
        try {
            if (!leases.acquire(stream, holder, lock, clock.instant(), ttl)) {
                LOG.error("lost the lease on audit stream {} to another instance", stream);
            }
        } catch (RuntimeException e) {
            LOG.warn("could not renew the audit stream lease: {}", e.toString());
        }
    }

    private static void pause() {
        try {
            Thread.sleep(RETRY.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupException("interrupted while waiting for the audit stream lease");
        }
    }

    @Override
    public void close() {
        if (renewal != null) {
            renewal.shutdownNow();
        }
        leases.release(stream, holder);
    }
}
