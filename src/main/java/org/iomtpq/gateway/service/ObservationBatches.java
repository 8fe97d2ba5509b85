package org.iomtpq.gateway.service;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

import org.iomtpq.gateway.protocol.Limits;
import org.iomtpq.gateway.store.ObservationRecord;
import org.iomtpq.gateway.store.ObservationRepository;
import org.iomtpq.gateway.store.ObservationRepository.InsertOutcome;
import org.iomtpq.gateway.store.StoredSeqs;
import org.iomtpq.gateway.store.StoredSeqs.Range;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the observation writer does with one batch: insert it, then widen each of its sessions' stored-seq range
 * ({@link StoredSeqs}: one statement per session per batch, in one command) before any caller of the batch is
 * answered. So the top of every session's replay window covers everything acknowledged, and nobody ever has to sort
 * the observations to learn it (PROTOCOL.md §6, "seq > highest stored - 64"); retention finds a session's observations
 * in the same range.
 * <p>
 * A seq found stored already (a duplicate) counts too: it is stored. When widening fails, the batch's observations
 * are still stored and are answered as such (answering UNAVAILABLE for them would be false: a retry would be a
 * REPLAY); the ranges are kept and written with the next batch, or at the writer's next idle moment or close. Only a
 * crash before then loses them, which makes the window more lenient for seqs never stored, never admits a stored one
 * (the unique index decides that).
 * <p>
 * Where other instances write the same sessions (a shared store), this instance's own view of a session's top lags
 * behind theirs, so the writer also reads the recorded tops of the batch's sessions (one command, by {@code _id})
 * before inserting, and refuses — {@link InsertOutcome#TOO_OLD}, nothing written — a seq at or below
 * {@code top - 64}, where {@code top} is the recorded one or a seq of the same session admitted earlier in this batch
 * (the batch keeps each lane's order). Any history this allows is one a single writer could have produced: admissions
 * that read the same top are ordered by seq, and everything recorded before a read is in it. Runs on the writer's
 * single thread only.
 * <p>
 * With a FHIR export, the ids a batch stored are noted in its feed before anyone is answered, so nothing acknowledged
 * can miss its delivery; a note that fails fails the batch (see the four-argument constructor).
 */
public final class ObservationBatches implements Function<List<ObservationRecord>, List<InsertOutcome>> {

    private static final Logger LOG = LoggerFactory.getLogger(ObservationBatches.class);

    private final Function<List<ObservationRecord>, List<InsertOutcome>> insert;
    private final Consumer<Map<String, Range>> widen;
    /** Recorded tops by session (absent: none recorded); null where no other instance writes this store. */
    private final Function<Collection<String>, Map<String, Long>> sharedTops;
    /**
     * Told the ids of what each batch stored (new or found stored), after the ranges and before anyone is answered;
     * throws when that could not be recorded. The FHIR feed: without it a stored reading might never be delivered.
     */
    private final Consumer<List<String>> storedIds;
    /** Ranges whose write failed, to go out with the next batch or at the next idle moment. */
    private final Map<String, Range> unwritten = new HashMap<>();

    /** This instance is the store's only writer: its own view of each top is exact, nothing is read. */
    public ObservationBatches(Function<List<ObservationRecord>, List<InsertOutcome>> insert,
                              Consumer<Map<String, Range>> widen) {
        this(insert, widen, null);
    }

    /** @param sharedTops reads the recorded tops of the given sessions: other instances write the same store */
    public ObservationBatches(Function<List<ObservationRecord>, List<InsertOutcome>> insert,
                              Consumer<Map<String, Range>> widen,
                              Function<Collection<String>, Map<String, Long>> sharedTops) {
        this(insert, widen, sharedTops, ids -> { });
    }

    /**
     * @param storedIds told the observation ids each batch stored; when it throws, the batch fails as a whole (its
     *                  callers are not answered as stored, and their retries, found stored, tell it again)
     */
    public ObservationBatches(Function<List<ObservationRecord>, List<InsertOutcome>> insert,
                              Consumer<Map<String, Range>> widen,
                              Function<Collection<String>, Map<String, Long>> sharedTops,
                              Consumer<List<String>> storedIds) {
        this.insert = insert;
        this.widen = widen;
        this.sharedTops = sharedTops;
        this.storedIds = storedIds;
    }

    @Override
    public List<InsertOutcome> apply(List<ObservationRecord> batch) {
        List<InsertOutcome> outcomes = sharedTops == null ? insert.apply(batch) : insertWithinWindow(batch);
        Map<String, Range> ranges = new HashMap<>(unwritten);
        List<String> ids = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size() && i < outcomes.size(); i++) {
            if (outcomes.get(i) == InsertOutcome.STORED || outcomes.get(i) == InsertOutcome.DUPLICATE) {
                ObservationRecord r = batch.get(i);
                ranges.merge(r.sessionId(), new Range(r.seq(), r.seq()), ObservationBatches::union);
                ids.add(ObservationRepository.id(r.sessionId(), r.seq()));
            }
        }
        write(ranges);
        storedIds.accept(ids);
        return outcomes;
    }

    /** The records within their session's window are inserted; the others are answered TOO_OLD, in their places. */
    private List<InsertOutcome> insertWithinWindow(List<ObservationRecord> batch) {
        Set<String> sessions = new LinkedHashSet<>();
        batch.forEach(r -> sessions.add(r.sessionId()));
        Map<String, Long> tops = new HashMap<>(sharedTops.apply(sessions));
        unwritten.forEach((session, range) -> tops.merge(session, range.top(), Math::max));
        List<ObservationRecord> admitted = new ArrayList<>(batch.size());
        List<InsertOutcome> outcomes = new ArrayList<>(batch.size());
        for (ObservationRecord r : batch) {
            long top = tops.getOrDefault(r.sessionId(), 0L);
            if (r.seq() <= top - Limits.REPLAY_WINDOW) {
                outcomes.add(InsertOutcome.TOO_OLD);
            } else {
                admitted.add(r);
                outcomes.add(null);
                tops.put(r.sessionId(), Math.max(top, r.seq()));
            }
        }
        if (admitted.isEmpty()) {
            return outcomes;
        }
        List<InsertOutcome> inserted = insert.apply(admitted);
        if (inserted.size() != admitted.size()) {
            return inserted; // the writer refuses a store that answers a wrong count
        }
        for (int i = 0, next = 0; i < outcomes.size(); i++) {
            if (outcomes.get(i) == null) {
                outcomes.set(i, inserted.get(next++));
            }
        }
        return outcomes;
    }

    /** When the writer has nothing else to do, and at its close: ranges that failed before get another try. */
    public void flush() {
        if (!unwritten.isEmpty()) {
            write(new HashMap<>(unwritten));
        }
    }

    private void write(Map<String, Range> ranges) {
        try {
            widen.accept(ranges);
            unwritten.clear();
        } catch (RuntimeException e) {
            LOG.warn("recording the stored seqs of {} sessions failed, tried again later: {}", ranges.size(), e.toString());
            unwritten.putAll(ranges);
        }
    }

    private static Range union(Range a, Range b) {
        return new Range(Math.min(a.first(), b.first()), Math.max(a.top(), b.top()));
    }
}
