package org.iomtpq.gateway.service;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Function;

import org.iomtpq.gateway.store.ObservationRecord;
import org.iomtpq.gateway.store.ObservationRepository.InsertOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for observations: one writer thread takes whatever is queued (up to {@code maxBatch}) and stores it
 * with one unordered {@code insertMany}; each caller's future completes only after that write was acknowledged,
 * so "acknowledged means stored" still holds per message. No waiting for a batch to fill: while one write is in
 * flight the next batch gathers, so batches grow with load. Below {@value #LINGER_BELOW} messages the writer may wait up
 * to {@code lingerMillis} for more before writing: every write command costs a fixed amount (on the embedded store a
 * commit of about a millisecond and a half of CPU, on MongoDB a round trip), so at a moderate rate one or two messages
 * per command would cost far more CPU per message than at full load (see docs/benchmarks.md, "Soak"). With 0 a lone
 * message is written at once.
 * <p>
 * Why: on the embedded store every write command commits the file (see EmbeddedMongo), and on MongoDB every
 * command is a round trip; at a few thousand messages per second one command per message is the bottleneck.
 */
public final class ObservationWriter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ObservationWriter.class);

    /** @param waitsOutOutages its transport keeps it unacknowledged meanwhile, so an outage may be waited out */
    private record Pending(ObservationRecord record, CompletableFuture<InsertOutcome> done, boolean waitsOutOutages) {
    }

    private final Function<List<ObservationRecord>, List<InsertOutcome>> store;
    private final Runnable idle;
    private final int maxBatch;
    private final long lingerNanos;
    private final OutageWaits outageWaits;
    /** The store's last failure, for those told of an outage while the writer waits it out. Writer thread only. */
    private RuntimeException lastFailure;
    /** A batch this small waits for company (up to the linger time); a bigger one goes out at once. */
    static final int LINGER_BELOW = 32;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile boolean closed;
    /** Set by the writer thread, under this object's lock, when it takes nothing more: later submits fail at once. */
    private boolean exited;
    private final java.util.concurrent.atomic.LongAdder batches = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder written = new java.util.concurrent.atomic.LongAdder();

    /** @param store writes a batch and says per record what became of it (throws when nothing is known stored) */
    public ObservationWriter(Function<List<ObservationRecord>, List<InsertOutcome>> store, int maxBatch) {
        this(store, () -> { }, maxBatch, 0, OutageWaits.NONE);
    }

    /**
     * @param idle         run on the writer's thread when nothing arrived for a while, and once more before it stops
     * @param lingerMillis how long a small batch may wait for more messages (0: never)
     * @param outageWaits  how long an outage is waited out for {@link #submit(ObservationRecord, boolean) callers that
     *                     may wait}. The writer itself waits, holding everything queued behind: an observation retried
     *                     apart from the others (as Camel's redelivery did) was overtaken by newer ones of its device,
     *                     and once 64 of those were stored it was refused REPLAY although the broker had accepted it.
     */
    public ObservationWriter(Function<List<ObservationRecord>, List<InsertOutcome>> store, Runnable idle, int maxBatch,
                             long lingerMillis, OutageWaits outageWaits) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1");
        }
        this.store = store;
        this.idle = idle;
        this.maxBatch = maxBatch;
        this.lingerNanos = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(lingerMillis);
        this.outageWaits = outageWaits;
        this.writer = new Thread(this::writeLoop, "observation-writer");
        writer.setDaemon(true);
        writer.start();
    }

    /** Completes with the record's outcome once written, or exceptionally when the write failed as a whole. */
    public CompletableFuture<InsertOutcome> submit(ObservationRecord record) {
        return submit(record, false);
    }

    /**
     * @param waitsOutOutages the caller's transport keeps the message unacknowledged until it is answered (MQTT QoS 1):
     *                        a storage outage is waited out per {@link OutageWaits}, in order, and only then failed
     *                        ({@link OutageWaitedOut}); otherwise an outage fails it at once (HTTP: 503 now).
     */
    public CompletableFuture<InsertOutcome> submit(ObservationRecord record, boolean waitsOutOutages) {
        CompletableFuture<InsertOutcome> done = new CompletableFuture<>();
        synchronized (this) {
            if (!closed && !exited) {
                queue.add(new Pending(record, done, waitsOutOutages));
                return done;
            }
        }
        done.completeExceptionally(new IllegalStateException("the observation writer is closed"));
        return done;
    }

    private void writeLoop() {
        List<Pending> batch = new ArrayList<>(maxBatch);
        try {
            while (!closed || !queue.isEmpty()) {
                Pending first = queue.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
                if (first == null) {
                    runIdle();
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
                linger(batch);
                write(batch);
                batch.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            // whatever happened, nobody may wait forever: every caller still queued is told the write did not happen
            synchronized (this) {
                exited = true;
            }
            batch.forEach(p -> p.done().completeExceptionally(new IllegalStateException("the observation writer stopped")));
            failRemaining();
            runIdle();
        }
    }

    /** A small batch waits, at most the linger time from now, for more messages to share its write. */
    private void linger(List<Pending> batch) throws InterruptedException {
        long deadline = System.nanoTime() + lingerNanos;
        while (lingerNanos > 0 && batch.size() < LINGER_BELOW && !closed) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            Pending next = queue.poll(left, java.util.concurrent.TimeUnit.NANOSECONDS);
            if (next == null) {
                return;
            }
            batch.add(next);
            queue.drainTo(batch, maxBatch - batch.size());
        }
    }

    private void runIdle() {
        try {
            idle.run();
        } catch (RuntimeException e) {
            LOG.warn("observation writer: idle work failed: {}", e.toString());
        }
    }

    /** Writes the batch; what failed for an outage and may wait is retried, in order, before anything else. */
    private void write(List<Pending> batch) throws InterruptedException {
        List<Pending> held = attempt(batch);
        try {
            for (int retry = 0; !held.isEmpty(); retry++) {
                if (retry >= outageWaits.retries() || closed) {
                    OutageWaitedOut failure = new OutageWaitedOut(retry, lastFailure);
                    held.forEach(p -> p.done().completeExceptionally(failure));
                    return;
                }
                pause(outageWaits.delayBefore(retry), held);
                held = attemptInOrder(held);
            }
        } catch (InterruptedException e) {
            held.forEach(p -> p.done().completeExceptionally(new IllegalStateException("the observation writer stopped")));
            throw e;
        }
    }

    /** Retries in batches of at most {@code maxBatch}, oldest first; stops at the first that fails again. */
    private List<Pending> attemptInOrder(List<Pending> held) {
        for (int from = 0; from < held.size(); from += maxBatch) {
            List<Pending> stillHeld = attempt(held.subList(from, Math.min(held.size(), from + maxBatch)));
            if (!stillHeld.isEmpty()) {
                List<Pending> rest = new ArrayList<>(stillHeld);
                rest.addAll(held.subList(Math.min(held.size(), from + maxBatch), held.size()));
                return rest;
            }
        }
        return List.of();
    }

    /**
     * Waits before a retry; what arrives meanwhile is not written ahead of what is held: a caller that may wait joins
     * the held ones behind them, any other is told of the outage at once.
     */
    private void pause(long millis, List<Pending> held) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(millis);
        for (long left = deadline - System.nanoTime(); left > 0 && !closed; left = deadline - System.nanoTime()) {
            Pending next = queue.poll(Math.min(left, java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(100)),
                    java.util.concurrent.TimeUnit.NANOSECONDS);
            if (next == null) {
                continue;
            }
            if (next.waitsOutOutages()) {
                held.add(next);
            } else {
                next.done().completeExceptionally(lastFailure);
            }
        }
    }

    /** One write; returns the callers that failed for an outage and may wait (the others are completed). */
    private List<Pending> attempt(List<Pending> batch) {
        List<ObservationRecord> records = new ArrayList<>(batch.size());
        batch.forEach(p -> records.add(p.record()));
        List<InsertOutcome> outcomes;
        batches.increment();
        written.add(records.size());
        try {
            outcomes = store.apply(records);
            if (outcomes.size() != records.size()) {
                throw new IllegalStateException("the store answered " + outcomes.size() + " outcomes for " + records.size());
            }
        } catch (RuntimeException e) {
            // Nothing of this batch counts as stored; each caller fails and is answered as for a storage outage.
            lastFailure = e;
            List<Pending> held = new ArrayList<>();
            for (Pending p : batch) {
                if (p.waitsOutOutages() && outageWaits.retries() > 0) {
                    held.add(p);
                } else {
                    p.done().completeExceptionally(e);
                }
            }
            if (!held.isEmpty()) {
                LOG.warn("observation writer: the store failed ({}); {} observations held and retried in order", e.toString(),
                        held.size());
            }
            return held;
        } catch (Error e) {
            batch.forEach(p -> p.done().completeExceptionally(e));
            throw e;
        }
        for (int i = 0; i < batch.size(); i++) {
            try {
                batch.get(i).done().complete(outcomes.get(i));
            } catch (RuntimeException e) {
                // a dependent stage failed on this thread: that caller's problem; the writer goes on
                LOG.error("observation writer: completing a write failed: {}", e.toString());
            }
        }
        return List.of();
    }

    private void failRemaining() {
        Pending p;
        while ((p = queue.poll()) != null) {
            p.done().completeExceptionally(new IllegalStateException("the observation writer stopped"));
        }
    }

    /** How many insertMany commands were sent, and how many observations they carried (for the load harness). */
    public long[] batchesAndRecords() {
        return new long[] {batches.sum(), written.sum()};
    }

    /** Writes what is queued, then stops. */
    @Override
    public void close() {
        closed = true;
        try {
            writer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writer.isAlive()) {
            LOG.warn("observation writer did not stop within 10 s");
            writer.interrupt();
        }
    }
}
