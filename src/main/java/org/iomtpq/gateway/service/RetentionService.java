package org.iomtpq.gateway.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
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
 * is the same however much is stored. A session's observations are reached by {@code (sessionId, seq)} over its
 * stored-seq range (StoredSeqs), a budgeted part per round. A purged session's telemetry answers UNKNOWN_SESSION (it was expired long before), so purging
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
    private final Predicate<Instant> deliveredBefore;
    /**
     * How long after its session expired a reading may still be written (accepted just before, then held through a
     * storage outage): what retention asks the downstream delivery about is everything stored until then.
     */
    static final Duration LAST_WRITE_MARGIN = Duration.ofMinutes(10);
    private final AuditTrail audit;
    private final Clock clock;

    /**
     * @param batchBudget           about how many documents one round deletes (a round finishes the chunk it is in)
     * @param seqMargin             how far above a session's recorded top observations may exist (the write batch)
     * @param deliveredBefore       whether every observation stored before the given instant reached its downstream
     *                              system (always true when none is configured); a session whose observations may
     *                              not all have arrived there waits another hour
     */
    public RetentionService(RetentionLedger ledger, RetentionStore store, Ages ages, int batchBudget, int seqMargin,
                            Predicate<Instant> deliveredBefore, AuditTrail audit, Clock clock) {
        this.seqMargin = seqMargin;
        this.ledger = ledger;
        this.store = store;
        this.ages = ages;
        this.batchBudget = batchBudget;
        this.deliveredBefore = deliveredBefore;
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
        Round round = new Round(clock.instant(), batchBudget);
        for (Kind kind : Kind.values()) {
            while (round.budget > 0) {
                List<DueChunk> chunks = ledger.due(kind, round.now);
                if (chunks.isEmpty()) {
                    break;
                }
                for (DueChunk chunk : chunks) {
                    for (String id : chunk.ids()) {
                        round.purged.merge(kind, purge(chunk, id, round), Long::sum);
                    }
                    ledger.done(chunk); // what could not be finished was noted again, into the same hour
                    if (round.budget <= 0) {
                        break;
                    }
                }
            }
        }
        round.purged.values().removeIf(n -> n == 0);
        if (!round.purged.isEmpty()) {
            LOG.info("retention: purged {}", round.purged);
            audit.record(AuditEvent.success("RETENTION_PURGED", null, "purged " + round.purged));
        }
        return round.purged;
    }

    /** One round's state: what it may still spend (store lookups) and what it purged. */
    private static final class Round {
        final Instant now;
        long budget;
        final Map<Kind, Long> purged = new EnumMap<>(Kind.class);

        Round(Instant now, long budget) {
            this.now = now;
            this.budget = budget;
        }
    }

    private long purge(DueChunk chunk, String id, Round round) {
        round.budget--;
        return switch (chunk.kind()) {
            case SESSION -> purgeSession(chunk, id, round);
            case SESSION_OBSERVATIONS -> purgeObservations(chunk, ObservationRange.parse(id), round);
            case APPROVAL -> store.deleteExpiredApproval(id, round.now);
            case DEAD_LETTER -> store.deleteDeadLetter(id);
            case OUTBOX -> purgeOutboxEntry(id, round.now);
        };
    }

    /**
     * The session record (and its stored-seq range) goes; its observations are noted for their own age, carrying the
     * range, which is all that is needed to reach them.
     */
    private long purgeSession(DueChunk chunk, String sessionId, Round round) {
        var session = store.session(sessionId);
        if (session.isEmpty()) {
            return 0;
        }
        Instant expiresAt = session.get().expiresAtInstant();
        if (round.now.isBefore(expiresAt)) { // outlived the ledger's guess (a changed ttl): look again later
            ledger.record(Kind.SESSION, sessionId, expiresAt.plus(ages.sessions()));
            return 0;
        }
        store.storedSeqs(sessionId).ifPresent(r -> {
            // above the top too: a crash between a batch's insert and the write of its range can leave up to one
            // batch of a session's observations above it (never acknowledged, but stored)
            ObservationRange range = new ObservationRange(sessionId, r.first(), r.top() + seqMargin,
                    expiresAt.plus(LAST_WRITE_MARGIN).getEpochSecond());
            Instant due = expiresAt.plus(ages.observations());
            ledger.record(Kind.SESSION_OBSERVATIONS, range.toString(), due.isAfter(round.now) ? due : chunk.hourStart());
        });
        store.deleteStoredSeqs(sessionId);
        store.deleteListings(session.get(), round.now);
        return store.deleteSession(sessionId);
    }

    /**
     * Deletes a session's observations {@code from..to} by exact {@code (sessionId, seq)}, as far as the round's budget
     * goes; the rest is noted again into the hour being purged, so the next round goes on where this one stopped.
     * Observations that still wait for their downstream delivery are noted an hour later.
     */
    private long purgeObservations(DueChunk chunk, ObservationRange range, Round round) {
        Instant storedBefore = range.storedBefore() < 0 ? round.now : Instant.ofEpochSecond(range.storedBefore());
        if (!deliveredBefore.test(storedBefore)) {
            ledger.record(Kind.SESSION_OBSERVATIONS, range.toString(), round.now.plus(Duration.ofHours(1)));
            return 0;
        }
        long last = Math.min(range.to(), range.from() + Math.max(round.budget, 1) - 1);
        long deleted = store.deleteObservations(range.sessionId(), range.from(), last);
        round.budget -= last - range.from() + 1;
        if (last < range.to()) {
            ledger.record(Kind.SESSION_OBSERVATIONS,
                    new ObservationRange(range.sessionId(), last + 1, range.to(), range.storedBefore()).toString(),
                    chunk.hourStart());
        }
        return deleted;
    }

    /** A finished entry, unless it is a rotation the device has not taken on yet (its keys live only there). */
    private long purgeOutboxEntry(String id, Instant now) {
        return switch (store.deleteFinishedOutboxEntry(id)) {
            case DELETED -> 1;
            case STILL_NEEDED -> {
                ledger.record(Kind.OUTBOX, id, now.plus(ages.outbox()));
                yield 0;
            }
            case GONE_OR_OPEN -> 0;
        };
    }

    /**
     * A ledger id of {@link Kind#SESSION_OBSERVATIONS}: {@code sessionId|from|to|storedBefore} (epoch seconds by
     * which all of the session's observations were written); ids of older versions lack the last part ({@code -1}:
     * unknown, and then only an empty delivery backlog releases them).
     */
    record ObservationRange(String sessionId, long from, long to, long storedBefore) {
        static ObservationRange parse(String id) {
            String[] parts = id.split("\\|");
            boolean withTime = parts.length == 4; // base64 session ids hold no '|'
            return new ObservationRange(parts[0], Long.parseLong(parts[1]), Long.parseLong(parts[2]),
                    withTime ? Long.parseLong(parts[3]) : -1);
        }

        @Override
        public String toString() {
            return sessionId + "|" + from + "|" + to + "|" + storedBefore;
        }
    }
}
