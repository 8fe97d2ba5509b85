package org.iomtpq.gateway.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class GrowthSummaryTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A run that stored {@code messages} at {@code perSecond}, with the given window CPU (ns) of the MongoDB part. */
    private static GrowthBench.Size size(long observations, long messages, double perSecond, long mongoNanos,
                                         long handshakeNanos) {
        JsonNode load = JSON.valueToTree(Map.of(
                "mqtt", Map.of("storedInWindow", messages, "perSecond", perSecond),
                "http", Map.of("ok", 0, "perSecond", 0),
                "handshakes", Map.of("completed", 100)));
        Map<String, Long> window = new LinkedHashMap<>();
        window.put("embedded MongoDB", mongoNanos);
        window.put("embedded MQTT broker", 0L);
        window.put(GatewayCpuMeter.JIT, 0L);
        window.put("total", mongoNanos * 2);
        Map<String, Long> handshake = Map.of("total", handshakeNanos, GatewayCpuMeter.JIT, 0L);
        return new GrowthBench.Size(observations, observations == 0 ? 0 : 100_000, 1.5,
                new BenchCommand.Phase(false, load, handshake, window));
    }

    @Test
    void ratiosAreToTheMeanOfTheEmptyRunsAndTheTargetIsJudgedOnTheLargestStore() {
        // empty: 200 and 300 us per message (mean 250); 1,000,000: 300 us = 1.2x (met); 1,000 msgs/s vs 2,000 (0.5x: not)
        GrowthSummary summary = new GrowthSummary(List.of(
                size(0, 1_000, 2_000, 100_000_000L, 500_000_000L),
                size(1_000_000, 1_000, 1_000, 150_000_000L, 500_000_000L),
                size(0, 1_000, 2_000, 150_000_000L, 500_000_000L)), null);
        GrowthSummary.Metric cpu = GrowthSummary.METRICS.get(1);
        GrowthSummary.Metric rate = GrowthSummary.METRICS.get(0);

        assertEquals(250, summary.empty(cpu.value()), 1e-9);
        GrowthBench.Size top = summary.largest();
        assertEquals(1_000_000, top.observations());
        assertEquals(1.2, summary.ratio(top, cpu.value()), 1e-9);
        assertEquals(0.5, summary.ratio(top, rate.value()), 1e-9);
        assertTrue(GrowthSummary.withinTarget(cpu, 1.2));
        assertFalse(GrowthSummary.withinTarget(cpu, 1.3));
        assertTrue(GrowthSummary.withinTarget(rate, 0.81));
        assertFalse(GrowthSummary.withinTarget(rate, 0.5));

        String text = print(summary);
        assertTrue(text.contains("gateway CPU per stored message, all threads x1.20 met"), text);
        assertTrue(text.contains("stored msgs/s x0.50 NOT MET"), text);
        assertTrue(text.contains("1,000,000 / 100,000"), text);
        assertFalse(text.contains("embedded MQTT broker"), "a component without CPU in every run is left out");
    }

    @Test
    void withoutAnEmptyRunThereAreNoRatiosRatherThanInventedOnes() {
        GrowthSummary summary = new GrowthSummary(List.of(size(20_000, 10, 10, 1_000L, 1_000L)), null);
        assertTrue(Double.isNaN(summary.ratio(summary.largest(), GrowthSummary.METRICS.get(1).value())));
        assertTrue(print(summary).contains("(no empty run)"));
        Map<?, ?> json = JSON.convertValue(summary.toJson(), Map.class);
        Map<?, ?> first = (Map<?, ?>) ((List<?>) json.get("sizes")).get(0);
        assertEquals(-1.0, first.get("cpuMicrosPerStoredMessageOverEmpty"));
        assertEquals(0.2, first.get("cpuMicrosPerStoredMessage"), "2,000 ns over 10 messages");
    }

    @Test
    void aStoreSizeThatStoredNothingInTheWindowFailsTheTargetInsteadOfVanishing() {
        GrowthSummary summary = new GrowthSummary(List.of(size(0, 1_000, 1_000, 1_000L, 1_000L),
                size(50_000, 0, 0, 1_000L, 1_000L)), null);
        String text = print(summary);
        assertTrue(text.contains("gateway CPU per stored message, all threads x- NOT MET (nothing to compare)"), text);
        assertTrue(text.contains("stored msgs/s x0.00 NOT MET"), text);
    }

    @Test
    void theCeilingRatioIsStoredOverDelivered() {
        JsonNode ceiling = JSON.valueToTree(Map.of("mqtt", Map.of("perSecond", 4_000.0)));
        GrowthSummary summary = new GrowthSummary(List.of(size(0, 1_000, 1_000, 1L, 1L)), ceiling);
        assertTrue(print(summary).contains("0.25"));
        assertEquals(0.25, BenchSummary.ceilingRatio(1_000, 4_000), 1e-9);
        assertTrue(Double.isNaN(BenchSummary.ceilingRatio(1_000, 0)));
    }

    private static String print(GrowthSummary summary) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        summary.print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
