package org.iomtpq.gateway.service;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Answers that name the transaction of their chain operation (PROTOCOL.md §4 {@code enrolled}, §5a {@code rotation}:
 * "submitted ... answer {..., txHash}"): group commit between the request threads and the one outbox relay.
 * <p>
 * An answer rings the relay and waits, bounded, for the end of the first relay round that sees its outbox entry: it
 * then names the entry's transaction if that round (or an earlier one) signed and stored it and the node took it, and
 * null otherwise (the chain is unreachable, no room in that round's batch or in flight); an answer behind an earlier
 * open operation on its device waits on for the round that sends it.
 * Whatever arrives while a round runs rings for the next one, so concurrent answers share one batch.
 * <p>
 * An answer rings only while the relay has room for it (at most one of this gateway's transactions waiting to be
 * mined, as the relay last told: it tells as soon as a receipt is collected or a transaction signed); otherwise it
 * waits, without ringing, for the relay's next usual round (every iomt.outbox.relay-period-ms). A lone enrollment or
 * rotation is thus signed at once, but a fleet cannot turn the in-flight slots into a string of tiny batches: its
 * registrations go out in the relay's usual rounds, 100 to a batch, and each answer names the batch its round sent,
 * or null if that round had no room for it. An answer that arrives just after an audit anchor and another answer's
 * transaction (two in flight) still names its own. Every answer says null when the wait is off ({@code bound}
 * zero). The registration endpoint is authoritative either way: it names the hash once signed, and a new one should
 * the transaction be replaced.
 * <p>
 * Instances sharing one MongoDB share one outbox, relayed by one of them at a time ({@link RelayLeadership}): on
 * the others a round only looks for the hashes that relay stored ({@link OutboxRelay#followOtherRelay}), so an answer
 * there names the transaction once it is signed, and an entry finished before such a round saw it ends its wait at
 * the bound, with null.
 */
public final class SubmissionWaits {

    private final Duration bound;
    /** An answer waiting, numbered in the order the waits began. */
    private record Wait(long number, CompletableFuture<String> answer) {
    }

    private final Map<String, Wait> waiting = new ConcurrentHashMap<>();
    private final AtomicLong begun = new AtomicLong();
    private final Semaphore rings = new Semaphore(0);
    private volatile boolean mayRing = true;

    /** {@code bound}: the longest an answer waits (iomt.outbox.answer-wait-ms); zero: answers never wait. */
    public SubmissionWaits(Duration bound) {
        if (bound.isNegative()) {
            throw new IllegalArgumentException("iomt.outbox.answer-wait-ms must not be negative");
        }
        this.bound = bound;
    }

    /**
     * The txHash to answer with for outbox entry {@code entryId} (stored before this call): completes at the end of the
     * relay round that sees the entry, after {@link #bound} at the latest (then null). Never completes exceptionally.
     */
    public CompletableFuture<String> txHashOf(String entryId) {
        if (bound.isZero()) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<String> answer = new CompletableFuture<>();
        Wait wait = new Wait(begun.incrementAndGet(), answer);
        waiting.put(entryId, wait);
        answer.completeOnTimeout(null, bound.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((hash, failure) -> waiting.remove(entryId, wait));
        if (mayRing && rings.availablePermits() == 0) {
            rings.release(); // a second permit at worst means one more (cheap) round, never a lost ring
        }
        return answer;
    }

    /**
     * The relay before it reads the outbox for a round: the mark to give {@link #roundEnded}. A wait that begins later
     * may concern an entry the round read before its record was written (the round then holds it back): that round
     * cannot say "null" for it.
     */
    long roundStarts() {
        return begun.get();
    }

    /** Whether any answer waits now. */
    boolean anyWaiting() {
        return !waiting.isEmpty();
    }

    /** The relay between rounds: returns when an answer rang, or after {@code idle}. */
    public void awaitRing(Duration idle) throws InterruptedException {
        if (rings.tryAcquire(idle.toMillis(), TimeUnit.MILLISECONDS)) {
            rings.drainPermits(); // every ring so far is served by the round that follows
        }
    }

    /** The relay, whenever it changes: whether answers may ring for a round of their own (else they wait for its next). */
    void roomForAnswers(boolean mayRing) {
        this.mayRing = mayRing;
    }

    /**
     * The relay at the end of a round. {@code seen}: every outbox entry the round saw, with the hash of its stored
     * transaction if it was signed and taken by the node (this round or before), else null. Waits for entries the round
     * did not see stay for the next round (their ring has already asked for it), and so do waits that began after
     * {@code startedAt} ({@link #roundStarts}) unless the round names a hash for them.
     */
    void roundEnded(Map<String, String> seen, long startedAt) {
        if (waiting.isEmpty()) {
            return;
        }
        waiting.forEach((entryId, wait) -> {
            if (seen.containsKey(entryId) && (seen.get(entryId) != null || wait.number() <= startedAt)) {
                wait.answer().complete(seen.get(entryId));
            }
        });
    }
}
