package org.iomtpq.gateway.service;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.iomtpq.gateway.audit.AuditEntry;
import org.iomtpq.gateway.audit.AuditEvent;
import org.iomtpq.gateway.audit.AuditHashChain;
import org.iomtpq.gateway.protocol.ErrorCode;
import org.iomtpq.gateway.protocol.ProtocolException;
import org.iomtpq.gateway.protocol.Timestamps;
import org.iomtpq.gateway.store.AuditRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends this instance's audit events to its hash-chained stream (PROTOCOL.md §10) through one writer thread that
 * group-commits: whatever is queued goes out in one {@code insertMany}, so audit writes do not throttle the hot path.
 * {@link #record} waits until its entry is stored (a decision that must be on record before it is answered);
 * {@link #recordRejection} does not wait and goes through {@link RejectionThrottle}, which summarizes floods.
 * {@code seq} has no gaps: the head moves only after a successful write, and is re-read from the store after a
 * failed one (a write reported as failed may still have been applied).
 */
public final class AuditTrail implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AuditTrail.class);
    private static final int MAX_BATCH = 500;
    private static final Duration WAIT_FOR_STORE = Duration.ofSeconds(15);

    private record Pending(AuditEvent event, CompletableFuture<AuditEntry> stored) {
    }

    private final String stream;
    private final String gatewayId;
    private final AuditRepository repository;
    private final Clock clock;
    private final RejectionThrottle throttle;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>(100_000);
    private final Thread writer;
    private volatile boolean closing;
    private AuditHashChain chain;
    /** The seq of the last entry this trail stored (0 before the first), for the anchor-lag metric. */
    private volatile long headSeq;

    public AuditTrail(String stream, String gatewayId, AuditRepository repository, Clock clock, Duration rejectionWindow,
                      int rejectionsPerWindow) {
        this.stream = stream;
        this.gatewayId = gatewayId;
        this.repository = repository;
        this.clock = clock;
        this.throttle = new RejectionThrottle(clock, rejectionWindow, rejectionsPerWindow);
        this.writer = new Thread(this::writeLoop, "audit-writer");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    public String stream() {
        return stream;
    }

    /** The seq of the last entry this process stored in its stream (0 before its first). */
    public long headSeq() {
        return headSeq;
    }

    /** Stores the entry before returning it; storage trouble surfaces as UNAVAILABLE. */
    public AuditEntry record(AuditEvent event) {
        Pending p = new Pending(event, new CompletableFuture<>());
        if (closing || !queue.offer(p)) {
            throw new ProtocolException(ErrorCode.UNAVAILABLE, "the audit trail is not accepting entries; retry later");
        }
        try {
            return p.stored().get(WAIT_FOR_STORE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new ProtocolException(ErrorCode.UNAVAILABLE, "the audit trail is not keeping up; retry later");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProtocolException(ErrorCode.UNAVAILABLE, "interrupted while auditing");
        }
    }

    /**
     * A rejection, recorded without waiting. Under a flood from one source (same event type and device) only the first
     * few per interval are recorded one by one; the rest become one summary entry (PROTOCOL.md §8).
     */
    public void recordRejection(AuditEvent event) {
        throttle.admit(event).forEach(this::enqueueQuietly);
    }

    private void enqueueQuietly(AuditEvent event) {
        if (closing || !queue.offer(new Pending(event, null))) {
            LOG.warn("audit queue full or closing: dropped a {} rejection entry", event.eventType());
        }
    }

    private void writeLoop() {
        List<Pending> batch = new ArrayList<>(MAX_BATCH);
        while (!closing || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(1, TimeUnit.SECONDS);
                throttle.expired().forEach(this::enqueueQuietly);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                write(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.error("audit writer: {}", e.toString());
            } finally {
                batch.clear();
            }
        }
    }

    private void write(List<Pending> batch) {
        try {
            if (chain == null) {
                chain = repository.last(stream)
                        .map(last -> new AuditHashChain(stream, gatewayId, last.seq(), last.hash()))
                        .orElseGet(() -> new AuditHashChain(stream, gatewayId, 0, AuditHashChain.ZERO_HASH));
            }
            List<AuditEntry> entries = chain.nextAll(batch.stream().map(Pending::event).toList(),
                    Timestamps.format(clock.instant()));
            repository.insertAll(entries);
            chain.advance(entries.get(entries.size() - 1), entries.size());
            headSeq = chain.lastSeq();
            for (int i = 0; i < batch.size(); i++) {
                if (batch.get(i).stored() != null) {
                    batch.get(i).stored().complete(entries.get(i));
                }
            }
        } catch (RuntimeException e) {
            chain = null; // re-read the head next time
            LOG.warn("audit write of {} entries failed: {}", batch.size(), e.toString());
            for (Pending p : batch) {
                if (p.stored() != null) {
                    p.stored().completeExceptionally(e);
                }
            }
        }
    }

    /** Writes what is queued, then stops the writer. */
    @Override
    public void close() {
        throttle.flush().forEach(this::enqueueQuietly);
        closing = true;
        try {
            writer.join(WAIT_FOR_STORE.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
