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
        return new ObservationBatches(batch -> outcomes, this::record);
    }

    private void record(Map<String, Range> tops) {
        if (recordingFails) {
            throw new IllegalStateException("store down");
        }
        recorded.add(Map.copyOf(tops));
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

    /** The FHIR feed hears of everything a batch stored, duplicates too; a batch whose feed note fails fails whole. */
    @Test
    void theStoredIdsAreToldAndAFailureToRecordThemFailsTheBatch() {
        List<List<String>> told = new ArrayList<>();
        List<InsertOutcome> outcomes = List.of(InsertOutcome.STORED, InsertOutcome.DUPLICATE, InsertOutcome.FAILED);
        new ObservationBatches(batch -> outcomes, this::record, null, told::add)
                .apply(List.of(record("s1", 1), record("s1", 2), record("s1", 3)));
        assertEquals(List.of(List.of("s1|1", "s1|2")), told);
        ObservationBatches failing = new ObservationBatches(batch -> outcomes, this::record, null, ids -> {
            throw new IllegalStateException("feed down");
        });
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> failing.apply(List.of(record("s1", 1), record("s1", 2), record("s1", 3))),
                "the writer must not answer these as stored");
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

    /** Another instance's writes: what the store records as each session's top, and the batches actually inserted. */
    private final Map<String, Long> recordedTops = new java.util.HashMap<>();
    private final List<List<Long>> inserted = new ArrayList<>();

    private ObservationBatches sharedBatches() {
        return new ObservationBatches(batch -> {
            inserted.add(batch.stream().map(ObservationRecord::seq).toList());
            return batch.stream().map(r -> InsertOutcome.STORED).toList();
        }, this::record, sessions -> {
            Map<String, Long> found = new java.util.HashMap<>();
            sessions.forEach(id -> {
                if (recordedTops.containsKey(id)) {
                    found.put(id, recordedTops.get(id));
                }
            });
            return found;
        });
    }

    @Test
    void withOtherWritersASeqAtOrBelowTheRecordedTopMinus64IsRefusedAndNotWritten() {
        recordedTops.put("s1", 100L); // stored by another instance
        List<InsertOutcome> answered = sharedBatches().apply(List.of(record("s1", 36), record("s1", 37),
                record("s2", 1), record("s1", 101)));
        assertEquals(List.of(InsertOutcome.TOO_OLD, InsertOutcome.STORED, InsertOutcome.STORED, InsertOutcome.STORED),
                answered, "36 = 100 - 64 is outside the window, 37 inside; s2 has no top yet");
        assertEquals(List.of(List.of(37L, 1L, 101L)), inserted, "the refused one is not written");
        assertEquals(List.of(Map.of("s1", new Range(37, 101), "s2", new Range(1, 1))), recorded,
                "a refused seq does not widen the range");
    }

    @Test
    void withinABatchTheLanesOrderCountsAsASingleWriterWouldSeeIt() {
        assertEquals(List.of(InsertOutcome.STORED, InsertOutcome.STORED),
                sharedBatches().apply(List.of(record("s1", 10), record("s1", 200))), "10 came first: then 200");
        assertEquals(List.of(InsertOutcome.STORED, InsertOutcome.TOO_OLD),
                sharedBatches().apply(List.of(record("s3", 200), record("s3", 10))), "200 came first: 10 is too old");
    }

    @Test
    void withOtherWritersATopNotYetRecordedAfterAFailedWriteStillCounts() {
        ObservationBatches b = sharedBatches();
        recordedTops.put("s1", 5L);
        recordingFails = true;
        b.apply(List.of(record("s1", 100)));
        recordingFails = false;
        assertEquals(List.of(InsertOutcome.TOO_OLD), b.apply(List.of(record("s1", 30))),
                "100 is stored, its range not yet recorded: 30 is more than 64 behind it");
    }

    @Test
    void aBatchAllOfWhoseSeqsAreTooOldInsertsNothing() {
        recordedTops.put("s1", 500L);
        assertEquals(List.of(InsertOutcome.TOO_OLD), sharedBatches().apply(List.of(record("s1", 2))));
        assertEquals(List.of(), inserted);
    }
}
