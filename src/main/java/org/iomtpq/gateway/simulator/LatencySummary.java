package org.iomtpq.gateway.simulator;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Count, mean and nearest-rank percentiles of a set of latency samples in milliseconds. Nearest rank (no
 * interpolation) so that every reported percentile is a latency that was actually observed.
 */
public record LatencySummary(int count, double meanMs, double p50Ms, double p95Ms, double p99Ms, double maxMs) {

    public static final LatencySummary EMPTY = new LatencySummary(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
            Double.NaN);

    /** Summarises the samples; the array is copied, not reordered. */
    public static LatencySummary of(double[] samplesMs) {
        if (samplesMs.length == 0) {
            return EMPTY;
        }
        double[] sorted = samplesMs.clone();
        Arrays.sort(sorted);
        double sum = 0;
        for (double s : sorted) {
            sum += s;
        }
        return new LatencySummary(sorted.length, sum / sorted.length, percentile(sorted, 50), percentile(sorted, 95),
                percentile(sorted, 99), sorted[sorted.length - 1]);
    }

    /** Nearest rank: the smallest sample such that at least {@code p} percent of the samples are at or below it. */
    static double percentile(double[] sorted, double p) {
        if (sorted.length == 0 || p <= 0 || p > 100) {
            throw new IllegalArgumentException("need samples and 0 < p <= 100");
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(rank, 1) - 1];
    }

    /** "p50 / p95 / p99" for the table, or "-" without samples. */
    public String triple() {
        return count == 0 ? "-" : String.format("%.1f / %.1f / %.1f", p50Ms, p95Ms, p99Ms);
    }

    /** For the JSON report: NaN (no samples) becomes null. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("samples", count);
        m.put("meanMs", finite(meanMs));
        m.put("p50Ms", finite(p50Ms));
        m.put("p95Ms", finite(p95Ms));
        m.put("p99Ms", finite(p99Ms));
        m.put("maxMs", finite(maxMs));
        return m;
    }

    private static Double finite(double v) {
        return Double.isNaN(v) ? null : Math.round(v * 1000) / 1000.0;
    }
}
