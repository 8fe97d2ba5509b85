package org.iomtpq.gateway.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.iomtpq.gateway.audit.AuditEntry;
import org.iomtpq.gateway.audit.AuditEvent;
import org.iomtpq.gateway.audit.AuditHashChain;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The CPU part of an audit append, in memory: build the next hash-linked entry and move the head (storage is not
 * measured; it dominates in the product). {@code rehash} is what a verifier pays per stored entry.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class AuditBench {

    private static final String TIMESTAMP = "2026-11-23T19:00:05.123Z";

    private AuditHashChain chain;
    private List<AuditEvent> oneEvent;
    private AuditEntry stored;

    @Setup
    public void setUp() {
        chain = new AuditHashChain("gateway-01", "gateway-01", 0, AuditHashChain.ZERO_HASH);
        oneEvent = List.of(AuditEvent.success("TELEMETRY_ACCEPTED", "BP_MONITOR_001", "seq 42 stored"));
        stored = chain.nextAll(oneEvent, TIMESTAMP).get(0);
    }

    /** nextAll for one event + advance: what the audit trail does per event before the write. */
    @Benchmark
    public AuditEntry append() {
        AuditEntry entry = chain.nextAll(oneEvent, TIMESTAMP).get(0);
        chain.advance(entry, 1);
        return entry;
    }

    @Benchmark
    public String rehash() {
        return AuditHashChain.hash(stored);
    }
}
