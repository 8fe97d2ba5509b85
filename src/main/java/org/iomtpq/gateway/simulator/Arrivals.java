package org.iomtpq.gateway.simulator;

/**
 * Where the load generator sees its MQTT telemetry arrive: stored in the gateway's MongoDB ({@link StoredProbe}), or,
 * for the bare-broker ceiling, delivered to a subscriber that only counts ({@link CountingSubscriber}).
 */
interface Arrivals extends AutoCloseable {

    /** Everything arrived so far (a cheap read: it is called every few milliseconds). */
    long countAll();

    /** Asks to time this message from {@code sentNanos} until it arrived; may be ignored. */
    void sample(byte[] sessionId, long seq, long sentNanos);

    /** Waits for the samples still pending, then summarises the latencies of all samples. */
    LatencySummary finish() throws InterruptedException;

    /** Latencies of samples that arrived since the last call (ms), for per-minute figures; empty when not timed. */
    double[] takeRecentLatencies();

    /** Samples not seen arriving within their time limit. */
    int lost();

    /** Samples not taken because too many were pending. */
    int skipped();

    @Override
    void close();
}
