package org.iomtpq.gateway.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.iomtpq.gateway.store.ObservationRecord;
import org.iomtpq.gateway.store.ObservationRepository.InsertOutcome;
import org.iomtpq.gateway.store.StoredSeqs.Range;
import org.junit.jupiter.api.Test;

class ObservationBatchesTest {

    private final List<Map<String, Range>> recorded = new ArrayList<>();
    private boolean recordingFails;

    private ObservationBatches batches(List<InsertOutcome> outcomes) {
        return new ObservationBatches(batch -> outcomes, tops -> {
            if (recordingFails) {
                throw new IllegalStateException("store down");
            }
            recorded.add(Map.copyOf(tops));
        });
    }

    private static ObservationRecord record(String session, long seq) {
        return new ObservationRecord(session, seq, "D1", "gw", "2026-11-23T20:00:00Z", "2026-11-23T20:00:01Z",
                Map.of("heartRate", BigDecimal.valueOf(72)), Map.of(), "h" + seq);
    }

    @Test
    void eachSessionsHighestStoredSeqIsRecordedOncePerBatchDuplicatesIncludedFailuresNot() {
        List<InsertOutcome> outcomes = List.of(InsertOutcome.STORED, InsertOutcome.STORED, InsertOutcome.DUPLICATE,
                InsertOutcome.FAILED, InsertOutcome.STORED);
        List<InsertOutcome> answered = batches(outcomes).apply(List.of(record("s1", 3), record("s1", 1),
                record("s1", 9), record("s2", 50), record("s2", 4)));
        assertEquals(outcomes, answered, "the insert's outcomes, untouched");
        assertEquals(List.of(Map.of("s1", new Range(1, 9), "s2", new Range(4, 4))), recorded,
                "a duplicate is stored; a failed one is not");
    }

    @Test
    void topsThatCouldNotBeRecordedGoOutWithTheNextBatchAndTheObservationsStillCountAsStored() {
        ObservationBatches b = batches(List.of(InsertOutcome.STORED));
        recordingFails = true;
        assertEquals(List.of(InsertOutcome.STORED), b.apply(List.of(record("s1", 5))));
        recordingFails = false;
        b.apply(List.of(record("s2", 1)));
        assertEquals(List.of(Map.of("s1", new Range(5, 5), "s2", new Range(1, 1))), recorded);
        b.apply(List.of(record("s2", 2)));
        assertEquals(Map.of("s2", new Range(2, 2)), recorded.get(1), "once written, not again");
    }

    @Test
    void rangesThatCouldNotBeRecordedAreWrittenWhenTheWriterIsIdle() {
        ObservationBatches b = batches(List.of(InsertOutcome.STORED));
        recordingFails = true;
        b.apply(List.of(record("s1", 5)));
        b.flush();
        recordingFails = false;
        b.flush();
        assertEquals(List.of(Map.of("s1", new Range(5, 5))), recorded);
        b.flush();
        assertEquals(1, recorded.size(), "nothing left to write");
    }
}
