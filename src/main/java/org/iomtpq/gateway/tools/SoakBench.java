package org.iomtpq.gateway.tools;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.iomtpq.gateway.startup.GatewayRuntime;
import org.iomtpq.gateway.cli.UsageException;
import org.iomtpq.gateway.config.GatewaySettings;

/**
 * {@code ./iomt bench --soak MINUTES}: one gateway under a steady MQTT load (default 500 msgs/s from 200 devices) with
 * every device running a new handshake every minute, for long enough that growth, leaks and drift show. The load
 * generator writes a row per minute (published, stored, latency) as the minute ends; this side adds the gateway's CPU
 * per message and its heap for the same minute and prints the row at once. At the end every acknowledged publish must
 * be stored: the published-but-not-stored count must be 0, or the soak fails.
 */
final class SoakBench {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final BenchCommand bench;
    private final PrintStream out;
    private final PrintStream err;

    SoakBench(BenchCommand bench, PrintStream out, PrintStream err) {
        this.bench = bench;
        this.out = out;
        this.err = err;
    }

    /** The soak's options: MQTT only, 200 devices, 500 msgs/s, one handshake per device before the window, no warm-up. */
    static Map<String, String> options(Map<String, String> given) {
        int minutes;
        try {
            minutes = Integer.parseInt(given.get("soak"));
        } catch (NumberFormatException e) {
            minutes = 0;
        }
        if (minutes < 1) {
            throw new UsageException("--soak takes a number of minutes >= 1");
        }
        if (!given.getOrDefault("transport", "mqtt").equals("mqtt")) {
            throw new UsageException("--soak runs over MQTT only");
        }
        Map<String, String> opts = new HashMap<>(given);
        opts.put("transport", "mqtt");
        opts.putIfAbsent("devices", "200");
        opts.putIfAbsent("rate", "500");
        opts.put("seconds", String.valueOf(minutes * 60));
        opts.put("handshakes", opts.get("devices"));
        opts.putIfAbsent("warmup", "0");
        return opts;
    }

    int run(Map<String, String> given) throws Exception {
        Map<String, String> opts = options(given);
        int minutes = Integer.parseInt(opts.get("seconds")) / 60;
        if (!bench.warmUp(opts)) {
            return 1;
        }
        Minutes hooks = new Minutes();
        BenchCommand.Phase phase;
        try (hooks) {
            phase = bench.runPhase(opts, false, String.format("soak: %d minutes, %s devices, %s msgs/s, a handshake"
                    + " round every minute", minutes, opts.get("devices"), opts.get("rate")), hooks);
        }
        if (phase == null) {
            return 1;
        }
        long published = phase.load().path("mqtt").path("published").asLong();
        long stored = phase.load().path("mqtt").path("storedAfterDrain").asLong();
        long lost = published - stored;
        out.printf("%nSoak: %d minutes; %,d published (QoS 1, acknowledged by the broker), %,d stored after the drain:"
                + " %s; errors %s%n", hooks.rows.size(), published, stored, lost == 0 ? "0 lost" : lost + " LOST",
                phase.load().path("errors"));
        if (opts.containsKey("json")) {
            Map<String, Object> root = new LinkedHashMap<>();
            root.put("minutes", hooks.rows);
            root.put("published", published);
            root.put("storedAfterDrain", stored);
            root.put("lost", lost);
            root.put("load", phase.load());
            JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValue(Path.of(opts.get("json")).toFile(), root);
            out.println("bench: JSON written to " + opts.get("json"));
        }
        if (lost != 0 || hooks.rows.size() != minutes) {
            err.printf("bench --soak: FAILED: %d lost, %d of %d minute rows%n", lost, hooks.rows.size(), minutes);
            return 1;
        }
        return 0;
    }

    /** Follows the load generator's minutes file and completes each row with the gateway-side figures. */
    private final class Minutes implements BenchCommand.PhaseHooks, AutoCloseable {
        private final HeapWatch heap = new HeapWatch();
        private final List<Map<String, Object>> rows = new ArrayList<>();
        private Path file;

        @Override
        public List<String> loadArguments(Path dir) {
            file = dir.resolve("soak-minutes.jsonl");
            return List.of("--mode", "SOAK", "--minutes-out", file.toString());
        }

        @Override
        public void beforeLoad(GatewayRuntime gateway, GatewaySettings settings) {
            out.printf("  %6s %10s %10s %12s %12s %16s %14s %12s%n", "minute", "stored/s", "handshakes", "CPU us/msg",
                    "w/o JIT", "p50 / p99 ms", "heap after GC", "heap now");
        }

        @Override
        public void whileLoading(GatewayCpuMeter cpu) throws Exception {
            if (file == null || !Files.exists(file)) {
                return;
            }
            String text = Files.readString(file);
            String[] lines = text.split("\n");
            int complete = text.endsWith("\n") ? lines.length : lines.length - 1;
            for (int i = rows.size(); i < complete; i++) {
                rows.add(row(JSON.readTree(lines[i]), cpu));
            }
        }

        private Map<String, Object> row(JsonNode minute, GatewayCpuMeter cpu) {
            Map<String, Long> used = cpu.between(minute.path("startMillis").asLong(), minute.path("endMillis").asLong());
            long stored = minute.path("stored").asLong();
            double perMessage = stored == 0 ? Double.NaN : used.get("total") / 1e3 / stored;
            double compiled = stored == 0 ? Double.NaN : (used.get("total") - used.get(GatewayCpuMeter.JIT)) / 1e3 / stored;
            double afterGcMib = heap.usedAfterLastGc() < 0 ? Double.NaN : heap.usedAfterLastGc() / 1048576.0;
            double nowMib = heap.usedNow() / 1048576.0;
            JsonNode latency = minute.path("latency");
            out.printf("  %6d %10s %10d %12s %12s %16s %10s MiB %8.0f MiB%n", minute.path("minute").asInt(),
                    BenchSummary.fmt(minute.path("storedPerSecond").asDouble()), minute.path("handshakes").asLong(),
                    BenchSummary.fmt(perMessage), BenchSummary.fmt(compiled), latency.path("p50Ms").isNull() ? "-"
                            : String.format("%.1f / %.1f", latency.path("p50Ms").asDouble(), latency.path("p99Ms").asDouble()),
                    Double.isNaN(afterGcMib) ? "no GC yet" : String.format("%.0f", afterGcMib), nowMib);
            Map<String, Object> row = JSON.convertValue(minute,
                    new com.fasterxml.jackson.core.type.TypeReference<LinkedHashMap<String, Object>>() { });
            row.put("gatewayCpuMicrosPerStoredMessage", BenchSummary.round(perMessage));
            row.put("gatewayCpuMicrosPerStoredMessageWithoutJit", BenchSummary.round(compiled));
            row.put("gatewayCpuNanos", used);
            row.put("heapUsedAfterLastGcMiB", BenchSummary.round(afterGcMib));
            row.put("heapUsedNowMiB", BenchSummary.round(nowMib));
            row.put("garbageCollectionsSoFar", heap.collections());
            return row;
        }

        @Override
        public void close() {
            heap.close();
        }
    }
}
