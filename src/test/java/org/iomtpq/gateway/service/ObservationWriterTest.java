package org.iomtpq.gateway.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.iomtpq.gateway.store.ObservationRecord;
import org.iomtpq.gateway.store.ObservationRepository.InsertOutcome;
import org.junit.jupiter.api.Test;

class ObservationWriterTest {

    private static ObservationRecord record(long seq) {
        return new ObservationRecord("s1", seq, "D1", "gw", "2026-11-23T20:00:00Z", "2026-11-23T20:00:01Z", Map.of(),
                Map.of(), "h" + seq);
    }

    @Test
    void whatQueuesDuringAWriteGoesOutTogetherAndEachCallerGetsItsOwnOutcome() throws Exception {
        CountDownLatch firstWriteStarted = new CountDownLatch(1);
        CountDownLatch releaseFirstWrite = new CountDownLatch(1);
        List<List<Long>> batches = new ArrayList<>();
        try (ObservationWriter writer = new ObservationWriter(batch -> {
            synchronized (batches) {
                batches.add(batch.stream().map(ObservationRecord::seq).toList());
            }
            firstWriteStarted.countDown();
            await(releaseFirstWrite);
            List<InsertOutcome> out = new ArrayList<>();
            batch.forEach(r -> out.add(r.seq() == 3 ? InsertOutcome.DUPLICATE : InsertOutcome.STORED));
            return out;
        }, 100)) {
            CompletableFuture<InsertOutcome> first = writer.submit(record(1));
            assertTrue(firstWriteStarted.await(5, TimeUnit.SECONDS));
            List<CompletableFuture<InsertOutcome>> queued = new ArrayList<>();
            for (long seq = 2; seq <= 5; seq++) {
                queued.add(writer.submit(record(seq)));
            }
            assertTrue(queued.stream().noneMatch(CompletableFuture::isDone), "nobody is answered before the write");
            releaseFirstWrite.countDown();

            assertEquals(InsertOutcome.STORED, first.get(5, TimeUnit.SECONDS));
            assertEquals(List.of(InsertOutcome.STORED, InsertOutcome.DUPLICATE, InsertOutcome.STORED, InsertOutcome.STORED),
                    queued.stream().map(f -> f.join()).toList());
            assertEquals(List.of(List.of(1L), List.of(2L, 3L, 4L, 5L)), batches);
        }
    }

    @Test
    void aSmallBatchWaitsForCompanyWithinTheLingerTimeAndAFullOneDoesNot() throws Exception {
        List<Integer> sizes = new ArrayList<>();
        CountDownLatch secondBatch = new CountDownLatch(2);
        try (ObservationWriter writer = new ObservationWriter(batch -> {
            synchronized (sizes) {
                sizes.add(batch.size());
            }
            secondBatch.countDown();
            return java.util.Collections.nCopies(batch.size(), InsertOutcome.STORED);
        }, () -> { }, 500, 2_000, OutageWaits.NONE)) {
            CompletableFuture<InsertOutcome> lone = writer.submit(record(1));
            Thread.sleep(100);
            assertTrue(!lone.isDone(), "a lone message waits for company");
            CompletableFuture<InsertOutcome> company = writer.submit(record(2));
            assertEquals(InsertOutcome.STORED, lone.get(5, TimeUnit.SECONDS), "and goes out within the linger time");
            assertEquals(InsertOutcome.STORED, company.get(5, TimeUnit.SECONDS));
            synchronized (sizes) {
                assertEquals(List.of(2), sizes, "both in one write");
            }
        }
        List<Integer> full = new ArrayList<>();
        CountDownLatch written = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (ObservationWriter writer = new ObservationWriter(batch -> {
            synchronized (full) {
                full.add(batch.size());
            }
            written.countDown();
            await(release);
            return java.util.Collections.nCopies(batch.size(), InsertOutcome.STORED);
        }, () -> { }, 500, 60_000, OutageWaits.NONE)) {
            List<CompletableFuture<InsertOutcome>> many = new ArrayList<>();
            for (long seq = 1; seq <= ObservationWriter.LINGER_BELOW; seq++) {
                many.add(writer.submit(record(seq)));
            }
            // the writer may have taken the first ones alone; whatever it took lingers (60 s) only while under 32
            assertTrue(written.await(10, TimeUnit.SECONDS), "a batch of 32 does not wait out a 60 s linger");
            release.countDown();
            for (CompletableFuture<InsertOutcome> f : many) {
                assertEquals(InsertOutcome.STORED, f.get(10, TimeUnit.SECONDS));
            }
        }
    }

    @Test
    void aBatchIsNeverLargerThanTheLimit() throws Exception {
        List<Integer> sizes = new ArrayList<>();
        CountDownLatch release = new CountDownLatch(1);
        try (ObservationWriter writer = new ObservationWriter(batch -> {
            await(release);
            synchronized (sizes) {
                sizes.add(batch.size());
            }
            return batch.stream().map(r -> InsertOutcome.STORED).toList();
        }, 3)) {
            List<CompletableFuture<InsertOutcome>> all = new ArrayList<>();
            for (long seq = 1; seq <= 10; seq++) {
                all.add(writer.submit(record(seq)));
            }
            release.countDown();
            for (CompletableFuture<InsertOutcome> f : all) {
                assertEquals(InsertOutcome.STORED, f.get(5, TimeUnit.SECONDS));
            }
        }
        assertEquals(10, sizes.stream().mapToInt(Integer::intValue).sum());
        assertTrue(sizes.stream().allMatch(n -> n <= 3), sizes.toString());
    }

    @Test
    void aFailedWriteFailsEveryCallerOfThatBatchAndTheWriterCarriesOn() throws Exception {
        RuntimeException down = new IllegalStateException("storage down");
        boolean[] fail = {true};
        try (ObservationWriter writer = new ObservationWriter(batch -> {
            if (fail[0]) {
                throw down;
            }
            return batch.stream().map(r -> InsertOutcome.STORED).toList();
        }, 10)) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> writer.submit(record(1)).get(5, TimeUnit.SECONDS));
            assertSame(down, e.getCause());
            fail[0] = false;
            assertEquals(InsertOutcome.STORED, writer.submit(record(2)).get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void closeWritesWhatIsQueuedAndRefusesMore() throws Exception {
        List<Long> written = new ArrayList<>();
        ObservationWriter writer = new ObservationWriter(batch -> {
            synchronized (written) {
                batch.forEach(r -> written.add(r.seq()));
            }
            return batch.stream().map(r -> InsertOutcome.STORED).toList();
        }, 10);
        List<CompletableFuture<InsertOutcome>> all = new ArrayList<>();
        for (long seq = 1; seq <= 20; seq++) {
            all.add(writer.submit(record(seq)));
        }
        writer.close();
        for (CompletableFuture<InsertOutcome> f : all) {
            assertEquals(InsertOutcome.STORED, f.getNow(null));
        }
        assertEquals(20, written.size());
        assertThrows(ExecutionException.class, () -> writer.submit(record(21)).get(1, TimeUnit.SECONDS));
    }

    @Test
    void aWriterKilledByAnErrorLeavesNobodyWaiting() throws Exception {
        ObservationWriter writer = new ObservationWriter(batch -> {
            throw new OutOfMemoryError("simulated");
        }, 10);
        ExecutionException first = assertThrows(ExecutionException.class, () -> writer.submit(record(1)).get(5, TimeUnit.SECONDS));
        assertTrue(first.getCause() instanceof OutOfMemoryError);
        // the thread is gone: later callers fail at once instead of waiting for a write that never comes
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        CompletableFuture<InsertOutcome> later;
        do {
            later = writer.submit(record(2));
        } while (!later.isDone() && System.nanoTime() < deadline && pause());
        assertThrows(ExecutionException.class, later::get);
        writer.close();
    }

    /**
     * An outage over MQTT: the held observations are retried before anything that came after them (which is held
     * behind them), so a device's later seq is never stored ahead of an earlier one that failed; an HTTP caller
     * arriving meanwhile is told at once.
     */
    @Test
    void anOutageIsWaitedOutInOrderForCallersThatMayWaitAndOthersAreToldAtOnce() throws Exception {
        List<Long> storedOrder = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger failuresLeft = new AtomicInteger(3);
        CountDownLatch firstFailure = new CountDownLatch(1);
        try (ObservationWriter writer = new ObservationWriter(batch -> {
            if (failuresLeft.getAndDecrement() > 0) {
                firstFailure.countDown();
                throw new IllegalStateException("store down");
            }
            batch.forEach(r -> storedOrder.add(r.seq()));
            return batch.stream().map(r -> InsertOutcome.STORED).toList();
        }, () -> { }, 100, 0, new OutageWaits(5, 50, 200))) {
            CompletableFuture<InsertOutcome> first = writer.submit(record(1), true);
            assertTrue(firstFailure.await(5, TimeUnit.SECONDS));
            CompletableFuture<InsertOutcome> second = writer.submit(record(2), true);
            long httpAt = System.nanoTime();
            CompletableFuture<InsertOutcome> http = writer.submit(record(3));
            ExecutionException told = assertThrows(ExecutionException.class, () -> http.get(5, TimeUnit.SECONDS));
            assertTrue(System.nanoTime() - httpAt < TimeUnit.SECONDS.toNanos(2), "the HTTP caller is not held");
            assertEquals("store down", told.getCause().getMessage());

            assertEquals(InsertOutcome.STORED, first.get(5, TimeUnit.SECONDS));
            assertEquals(InsertOutcome.STORED, second.get(5, TimeUnit.SECONDS));
            assertEquals(List.of(1L, 2L), storedOrder);
        }
    }

    @Test
    void anOutageLongerThanTheRetriesEndsInOutageWaitedOutAfterExactlyThatManyAttempts() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        try (ObservationWriter writer = new ObservationWriter(batch -> {
            attempts.incrementAndGet();
            throw new IllegalStateException("store down");
        }, () -> { }, 100, 0, new OutageWaits(3, 10, 40))) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> writer.submit(record(1), true).get(5, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof OutageWaitedOut, e.getCause().toString());
            assertEquals("store down", e.getCause().getCause().getMessage());
            assertEquals(4, attempts.get(), "the first write and three retries");
        }
    }

    @Test
    void theBackoffDoublesUpToItsMaximum() {
        OutageWaits waits = new OutageWaits(8, 250, 5_000);
        assertEquals(List.of(250L, 500L, 1_000L, 2_000L, 4_000L, 5_000L, 5_000L),
                java.util.stream.IntStream.range(0, 7).mapToObj(waits::delayBefore).toList());
    }

    private static boolean pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return true;
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
