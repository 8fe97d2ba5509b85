package org.iomtpq.gateway.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Predicate;

import org.iomtpq.gateway.audit.AuditEvent;
import org.iomtpq.gateway.store.RetentionLedger;
import org.iomtpq.gateway.store.RetentionLedger.DueChunk;
import org.iomtpq.gateway.store.RetentionLedger.Kind;
import org.iomtpq.gateway.store.RetentionStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retention: the gateway is not the hospital's long-term record. Sessions (with their wrapped keys), observations,
 * expired approvals, dead letters and finished outbox entries are purged after their configured ages, in small
 * batches, by a timer route ({@code routes/retention.camel.yaml}). Audit entries are never purged: they are the
 * tamper-evident record (README "Retention" says how to archive them).
 * <p>
 * Whatever is stored with a limited life is noted in the {@link RetentionLedger} when it is stored, under the time it
 * falls due; a purge round takes what fell due from the ledger and deletes it by id, so its cost per purged document
 * is the same however much is stored. A session's observations are reached by {@code (sessionId, seq)} for seq
 * 1..its recorded top. A purged session's telemetry answers UNKNOWN_SESSION (it was expired long before), so purging
 * cannot reopen a replay: no seq of it can ever be accepted again.
 */
public final class RetentionService {

    private static final Logger LOG = LoggerFactory.getLogger(RetentionService.class);

    /** The ages, each counted from when the thing stopped being useful. */
    public record Ages(Duration sessions, Duration observations, Duration approvals, Duration deadLetters,
                       Duration outbox) {
        public Ages {
            for (Duration d : new Duration[] {sessions, observations, approvals, deadLetters, outbox}) {
                if (d.isNegative()) {
                    throw new IllegalArgumentException("iomt.retention.*: an age cannot be negative, got " + d);
                }
            }
        }
    }

    private final RetentionLedger ledger;
    private final RetentionStore store;
    private final Ages ages;
    private final int batchBudget;
    private final int seqMargin;
    private final Predicate<String> observationsDelivered;
    private final AuditTrail audit;
    private final Clock clock;

    /**
     * @param batchBudget           about how many documents one round deletes (a round finishes the chunk it is in)
     * @param seqMargin             how far above a session's recorded top observations may exist (the write batch)
     * @param observationsDelivered whether a session's observations reached their downstream system (always true when
     *                              none is configured); undelivered ones wait another hour
     */
    public RetentionService(RetentionLedger ledger, RetentionStore store, Ages ages, int batchBudget, int seqMargin,
                            Predicate<String> observationsDelivered, AuditTrail audit, Clock clock) {
        this.seqMargin = seqMargin;
        this.ledger = ledger;
        this.store = store;
        this.ages = ages;
        this.batchBudget = batchBudget;
        this.observationsDelivered = observationsDelivered;
        this.audit = audit;
        this.clock = clock;
    }

    // ------------------------------------------------------------------ noting what will fall due

    /** A new session: its record goes {@code sessions} after it expires. */
    public void sessionStarted(String sessionId, Instant expiresAt) {
        ledger.record(Kind.SESSION, sessionId, expiresAt.plus(ages.sessions()));
    }

    public void approvalGranted(String deviceId, Instant expiresAt) {
        ledger.record(Kind.APPROVAL, deviceId, expiresAt.plus(ages.approvals()));
    }

    public void deadLetterStored(String deadLetterId, Instant receivedAt) {
        ledger.record(Kind.DEAD_LETTER, deadLetterId, receivedAt.plus(ages.deadLetters()));
    }

    public void outboxEntryFinished(String entryId, Instant finishedAt) {
        ledger.record(Kind.OUTBOX, entryId, finishedAt.plus(ages.outbox()));
    }

    // ------------------------------------------------------------------ purging

    /** One round: purges what fell due, up to about the batch budget. Called by the timer route. */
    public Map<Kind, Long> purgeDue() {
        Instant now = clock.instant();
        Map<Kind, Long> purged = new EnumMap<>(Kind.class);
        long budget = batchBudget;
        for (Kind kind : Kind.values()) {
            while (budget > 0) {
                var chunks = ledger.due(kind, now);
                if (chunks.isEmpty()) {
                    break;
                }
                for (DueChunk chunk : chunks) {
                    long n = purge(chunk, now);
                    purged.merge(kind, n, Long::sum);
                    budget -= Math.max(n, chunk.ids().size());
                    ledger.done(chunk);
                    if (budget <= 0) {
                        break;
                    }
                }
            }
        }
        purged.values().removeIf(n -> n == 0);
        if (!purged.isEmpty()) {
            LOG.info("retention: purged {}", purged);
            audit.record(AuditEvent.success("RETENTION_PURGED", null, "purged " + purged));
        }
        return purged;
    }

    private long purge(DueChunk chunk, Instant now) {
        long n = 0;
        for (String id : chunk.ids()) {
            n += switch (chunk.kind()) {
                case SESSION -> purgeSession(id, now);
                case SESSION_OBSERVATIONS -> Math.max(0, purgeObservations(id, now));
                case APPROVAL -> store.deleteExpiredApproval(id, now);
                case DEAD_LETTER -> store.deleteDeadLetter(id);
                case OUTBOX -> store.deleteFinishedOutboxEntry(id);
            };
        }
        return n;
    }

    /**
     * The session record goes; its observations go with it when they are old enough, else their purge is noted for
     * later (the note carries the session's top, which is all that is needed to reach them).
     */
    private long purgeSession(String sessionId, Instant now) {
        var session = store.session(sessionId);
        if (session.isEmpty()) {
            return 0;
        }
        Instant expiresAt = session.get().expiresAtInstant();
        if (now.isBefore(expiresAt)) { // a session can outlive the ledger's guess only by a changed ttl: look again later
            ledger.record(Kind.SESSION, sessionId, expiresAt.plus(ages.sessions()));
            return 0;
        }
        String observations = sessionId + "|" + session.get().highestStoredSeq();
        Instant observationsDue = expiresAt.plus(ages.observations());
        long n = 0;
        if (now.isBefore(observationsDue)) {
            ledger.record(Kind.SESSION_OBSERVATIONS, observations, observationsDue);
        } else {
            n += Math.max(0, purgeObservations(observations, now)); // undelivered: noted again, the note suffices
        }
        return n + store.deleteSession(sessionId);
    }

    /** {@code sessionId|top}: deletes observations 1..top of the session; -1 when they must wait for delivery. */
    private long purgeObservations(String note, Instant now) {
        int bar = note.lastIndexOf('|');
        String sessionId = note.substring(0, bar);
        long top = Long.parseLong(note.substring(bar + 1));
        if (!observationsDelivered.test(sessionId)) {
            ledger.record(Kind.SESSION_OBSERVATIONS, note, now.plus(Duration.ofHours(1)));
            return -1;
        }
        // beyond the top too: a crash between a batch's insert and the write of its top can leave up to one batch
        // of a session's observations above it (unacknowledged, but stored)
        return store.deleteObservations(sessionId, top + seqMargin);
    }
}
