package org.iomtpq.gateway.service;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

import org.iomtpq.gateway.store.ObservationRecord;
import org.iomtpq.gateway.store.ObservationRepository.InsertOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the observation writer does with one batch: insert it, then record for every session in it the highest seq
 * now stored (one update per session per batch, in one command), before any caller of the batch is answered. So a
 * session's record always knows the top of its replay window for everything acknowledged, and nobody ever has to sort
 * the observations to learn it (PROTOCOL.md §6, "seq > highest stored - 64").
 * <p>
 * A seq found stored already (a duplicate) counts too: it is stored. When recording the tops fails, the batch's
 * observations are still stored and are answered as such (answering UNAVAILABLE for them would be false: a retry
 * would be a REPLAY); the tops are kept and written with the next batch. Until then only a crash could lose them,
 * and the loss would only make the window more lenient for seqs never stored, never admit a stored one (the unique
 * index decides that). Runs on the writer's single thread only.
 */
public final class ObservationBatches implements Function<List<ObservationRecord>, List<InsertOutcome>> {

    private static final Logger LOG = LoggerFactory.getLogger(ObservationBatches.class);

    private final Function<List<ObservationRecord>, List<InsertOutcome>> insert;
    private final Consumer<Map<String, Long>> raiseHighestStored;
    /** Tops whose write failed, to go out with the next batch. */
    private final Map<String, Long> unwritten = new HashMap<>();

    public ObservationBatches(Function<List<ObservationRecord>, List<InsertOutcome>> insert,
                              Consumer<Map<String, Long>> raiseHighestStored) {
        this.insert = insert;
        this.raiseHighestStored = raiseHighestStored;
    }

    @Override
    public List<InsertOutcome> apply(List<ObservationRecord> batch) {
        List<InsertOutcome> outcomes = insert.apply(batch);
        Map<String, Long> tops = new HashMap<>(unwritten);
        for (int i = 0; i < batch.size() && i < outcomes.size(); i++) {
            if (outcomes.get(i) != InsertOutcome.FAILED) {
                tops.merge(batch.get(i).sessionId(), batch.get(i).seq(), Math::max);
            }
        }
        try {
            raiseHighestStored.accept(tops);
            unwritten.clear();
        } catch (RuntimeException e) {
            LOG.warn("recording the replay-window top of {} sessions failed, retried with the next batch: {}",
                    tops.size(), e.toString());
            unwritten.putAll(tops);
        }
        return outcomes;
    }
}
