package org.iomtpq.gateway.simulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LatencySummaryTest {

    @Test
    void nearestRankPercentilesOfOneToHundred() {
        double[] samples = new double[100];
        for (int i = 0; i < 100; i++) {
            samples[99 - i] = i + 1; // descending on purpose: the summary sorts a copy
        }
        LatencySummary s = LatencySummary.of(samples);
        assertEquals(100, s.count());
        assertEquals(50.5, s.meanMs(), 1e-9);
        assertEquals(50, s.p50Ms());
        assertEquals(95, s.p95Ms());
        assertEquals(99, s.p99Ms());
        assertEquals(100, s.maxMs());
        assertEquals(100, samples[0], "input left as it was");
    }

    @Test
    void smallSetsReportObservedValues() {
        LatencySummary s = LatencySummary.of(new double[] {7.0, 3.0, 5.0});
        assertEquals(5.0, s.p50Ms());
        assertEquals(7.0, s.p95Ms());
        assertEquals(7.0, s.p99Ms());
        assertEquals("5.0 / 7.0 / 7.0", s.triple());
        LatencySummary one = LatencySummary.of(new double[] {2.5});
        assertArrayEquals(new double[] {2.5, 2.5, 2.5}, new double[] {one.p50Ms(), one.p95Ms(), one.p99Ms()});
    }

    @Test
    void emptyIsDashAndNulls() {
        LatencySummary s = LatencySummary.of(new double[0]);
        assertEquals(0, s.count());
        assertEquals("-", s.triple());
        assertNull(s.toMap().get("p99Ms"));
        assertThrows(IllegalArgumentException.class, () -> LatencySummary.percentile(new double[] {1}, 0));
    }
}
