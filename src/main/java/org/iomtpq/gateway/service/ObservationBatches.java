package org.iomtpq.gateway.service;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

import org.iomtpq.gateway.store.ObservationRecord;
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
 * (the unique index decides that). Runs on the writer's single thread only.
 */
public final class ObservationBatches implements Function<List<ObservationRecord>, List<InsertOutcome>> {

    private static final Logger LOG = LoggerFactory.getLogger(ObservationBatches.class);

    private final Function<List<ObservationRecord>, List<InsertOutcome>> insert;
    private final Consumer<Map<String, Range>> widen;
    /** Ranges whose write failed, to go out with the next batch or at the next idle moment. */
    private final Map<String, Range> unwritten = new HashMap<>();

    public ObservationBatches(Function<List<ObservationRecord>, List<InsertOutcome>> insert,
                              Consumer<Map<String, Range>> widen) {
        this.insert = insert;
        this.widen = widen;
    }

    @Override
    public List<InsertOutcome> apply(List<ObservationRecord> batch) {
        List<InsertOutcome> outcomes = insert.apply(batch);
        Map<String, Range> ranges = new HashMap<>(unwritten);
        for (int i = 0; i < batch.size() && i < outcomes.size(); i++) {
            if (outcomes.get(i) != InsertOutcome.FAILED) {
                long seq = batch.get(i).seq();
                ranges.merge(batch.get(i).sessionId(), new Range(seq, seq), ObservationBatches::union);
            }
        }
        write(ranges);
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
