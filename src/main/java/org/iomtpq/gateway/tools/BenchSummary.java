package org.iomtpq.gateway.tools;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The end of {@code ./iomt bench}: the secured runs next to the unsecured comparison runs (same parameters, same
 * machine, in the order secured, unsecured, unsecured, secured so that JIT warm-up and other drift favour neither),
 * each figure the mean of its runs, the ratios, and where the gateway's CPU went per handshake and per message.
 */
final class BenchSummary {

    private final List<BenchCommand.Phase> secured;
    private final List<BenchCommand.Phase> unsecured;
    private final int cores;
    private final com.fasterxml.jackson.databind.JsonNode ceiling;

    /** {@code unsecured} empty when the comparison was switched off; {@code ceiling} the bare-broker run or null. */
    BenchSummary(List<BenchCommand.Phase> secured, List<BenchCommand.Phase> unsecured, int cores,
                 com.fasterxml.jackson.databind.JsonNode ceiling) {
        this.secured = secured;
        this.unsecured = unsecured.isEmpty() ? null : unsecured;
        this.cores = cores;
        this.ceiling = ceiling;
    }

    /** Stored MQTT msgs/s (mean of the secured runs) / the bare broker's delivered msgs/s; NaN without a ceiling. */
    double storedOverCeiling() {
        return ceiling == null ? Double.NaN : ceilingRatio(mean(secured, p -> p.load().path("mqtt").path("perSecond")
                .asDouble()), ceiling.path("mqtt").path("perSecond").asDouble());
    }

    static double ceilingRatio(double stored, double ceiling) {
        return ceiling > 0 ? stored / ceiling : Double.NaN;
    }

    private static double mean(List<BenchCommand.Phase> runs, ToDoubleFunction<BenchCommand.Phase> value) {
        return runs.stream().mapToDouble(value).average().orElse(Double.NaN);
    }

    private record Row(String name, String unit, ToDoubleFunction<BenchCommand.Phase> value) {
    }

    private static final Row[] ROWS = {
        new Row("handshakes/s (end to end, load included)", "/s",
                p -> p.load().path("handshakes").path("perSecond").asDouble()),
        new Row("gateway CPU per handshake", "ms", BenchCommand.Phase::cpuMillisPerHandshake),
        new Row("  the same without JIT compilation", "ms", BenchCommand.Phase::cpuMillisPerHandshakeCompiled),
        new Row("HTTP messages/s (201 = stored)", "/s", p -> p.load().path("http").path("perSecond").asDouble()),
        new Row("HTTP latency p50", "ms", p -> p.load().path("http").path("latency").path("p50Ms").asDouble()),
        new Row("HTTP latency p99", "ms", p -> p.load().path("http").path("latency").path("p99Ms").asDouble()),
        new Row("MQTT messages/s (stored)", "/s", p -> p.load().path("mqtt").path("perSecond").asDouble()),
        new Row("MQTT latency p50 (publish -> stored)", "ms",
                p -> p.load().path("mqtt").path("latency").path("p50Ms").asDouble()),
        new Row("MQTT latency p99 (publish -> stored)", "ms",
                p -> p.load().path("mqtt").path("latency").path("p99Ms").asDouble()),
        new Row("gateway CPU per stored message", "us", p -> p.cpuMicrosPerMessage("total")),
        new Row("  the same without JIT compilation", "us", BenchCommand.Phase::cpuMicrosPerMessageCompiled),
        new Row("external broker CPU per stored message", "us", BenchSummary::external),
    };

    void print(PrintStream out) {
        out.println();
        out.println("Summary (gateway on the embedded defaults in one JVM, load generator in another, same cores)");
        out.printf("  %-44s %12s %12s %10s%n", "", "secured", unsecured == null ? "" : "unsecured",
                unsecured == null ? "" : "ratio");
        for (Row r : ROWS) {
            double s = mean(secured, r.value());
            if (unsecured == null) {
                out.printf("  %-44s %12s%n", r.name() + " (" + r.unit() + ")", fmt(s));
            } else {
                double u = mean(unsecured, r.value());
                out.printf("  %-44s %12s %12s %10s%n", r.name() + " (" + r.unit() + ")", fmt(s), fmt(u), ratio(s, u));
            }
        }
        if (ceiling != null) {
            out.printf("  %-44s %12s%n", "bare-broker ceiling, MQTT msgs/s (no gateway)",
                    fmt(ceiling.path("mqtt").path("perSecond").asDouble()));
            out.printf("  %-44s %12s   (goal >= 0.3; same publishers and broker, a subscriber that only counts)%n",
                    "MQTT stored / bare-broker ceiling", fmt(storedOverCeiling()));
        }
        out.printf("  %-44s %12s%n", "gateway-side handshake capacity, estimate",
                fmt(capacity(mean(secured, BenchCommand.Phase::cpuMillisPerHandshakeCompiled) * 1e3)) + "/s  (" + cores
                        + " cores / gateway CPU per handshake without JIT)");
        out.printf("  %-44s %12s%n", "gateway-side message capacity, estimate",
                fmt(capacity(mean(secured, BenchCommand.Phase::cpuMicrosPerMessageCompiled))) + "/s  (" + cores
                        + " cores / gateway CPU per message without JIT)");
        breakdown(out, "handshake", "ms", 1e6, BenchCommand.Phase::handshakeCpu, BenchCommand.Phase::handshakes);
        breakdown(out, "stored message", "us", 1e3, BenchCommand.Phase::windowCpu, BenchCommand.Phase::messages);
        out.println();
        out.println("  per run, in run order: " + perRun());
        out.println("  ratio = secured / unsecured (for latency and CPU, above 1 means security costs that much more).");
        out.println("  unsecured = the same pipeline and handshake, telemetry sent and accepted without AES-GCM (a");
        out.println("  gateway started only by the benchmark for this comparison). Capacity estimates assume the");
        out.println("  gateway alone on all cores at the CPU cost measured here; they are not measured rates.");
    }

    private void breakdown(PrintStream out, String per, String unit, double nanosPerUnit,
                           java.util.function.Function<BenchCommand.Phase, Map<String, Long>> cpu,
                           java.util.function.ToLongFunction<BenchCommand.Phase> count) {
        out.println();
        out.printf("  Gateway CPU per %s by component (%s; share of the gateway's CPU in that phase):%n", per, unit);
        for (String component : cpu.apply(secured.get(0)).keySet()) {
            if (component.equals("total") || component.equals(GatewayCpuMeter.EXTERNAL_BROKER)) {
                continue;
            }
            ToDoubleFunction<BenchCommand.Phase> perOp =
                    p -> perOp(cpu.apply(p), count.applyAsLong(p), component, nanosPerUnit);
            ToDoubleFunction<BenchCommand.Phase> share = p -> (double) cpu.apply(p).get(component) / cpu.apply(p).get("total");
            String line = String.format("    %-68s %8s (%.0f%%)", component, fmt(mean(secured, perOp)),
                    100 * mean(secured, share));
            if (unsecured != null) {
                line += String.format("   unsecured %8s", fmt(mean(unsecured, perOp)));
            }
            out.println(line);
        }
    }

    private static double external(BenchCommand.Phase p) {
        Long nanos = p.windowCpu().get(GatewayCpuMeter.EXTERNAL_BROKER);
        return nanos == null || p.messages() == 0 ? Double.NaN : nanos / 1e3 / p.messages();
    }

    private static double perOp(Map<String, Long> cpu, long count, String component, double nanosPerUnit) {
        return count == 0 ? Double.NaN : cpu.get(component) / nanosPerUnit / count;
    }

    /** Stored messages/s of every run in the order they ran, so drift between runs is visible. */
    private String perRun() {
        List<BenchCommand.Phase> all = new ArrayList<>(secured);
        if (unsecured != null) {
            all.addAll(unsecured);
        }
        all.sort(java.util.Comparator.comparingLong(p -> p.load().path("phases").path("windowStartMillis").asLong()));
        StringBuilder b = new StringBuilder();
        for (BenchCommand.Phase p : all) {
            b.append(b.length() == 0 ? "" : ", ").append(p.unsecured() ? "U " : "S ")
                    .append(fmt(p.load().path("http").path("perSecond").asDouble()
                            + p.load().path("mqtt").path("perSecond").asDouble())).append(" msgs/s");
        }
        return b.toString();
    }

    Map<String, Object> toJson() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("cores", cores);
        root.put("secured", secured.stream().map(this::phaseJson).toList());
        if (unsecured != null) {
            root.put("unsecured", unsecured.stream().map(this::phaseJson).toList());
            Map<String, Object> ratios = new LinkedHashMap<>();
            for (Row r : ROWS) {
                ratios.put(r.name(), round(mean(secured, r.value()) / mean(unsecured, r.value())));
            }
            root.put("securedOverUnsecuredOfMeans", ratios);
        }
        if (ceiling != null) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("deliveredPerSecond", ceiling.path("mqtt").path("perSecond").asDouble());
            c.put("storedOverCeiling", round(storedOverCeiling()));
            c.put("load", ceiling);
            root.put("bareBrokerCeiling", c);
        }
        return root;
    }

    private Map<String, Object> phaseJson(BenchCommand.Phase p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("load", p.load());
        Map<String, Object> cpu = new LinkedHashMap<>();
        cpu.put("handshakePhaseCpuNanos", p.handshakeCpu());
        cpu.put("telemetryWindowCpuNanos", p.windowCpu());
        cpu.put("perHandshakeMillis", round(p.cpuMillisPerHandshake()));
        cpu.put("perHandshakeMillisWithoutJit", round(p.cpuMillisPerHandshakeCompiled()));
        cpu.put("perMessageMicrosWithoutJit", round(p.cpuMicrosPerMessageCompiled()));
        cpu.put("capacityEstimatePerSecond", Map.of("handshakes", round(capacity(p.cpuMillisPerHandshakeCompiled() * 1e3)),
                "messages", round(capacity(p.cpuMicrosPerMessageCompiled()))));
        Map<String, Object> perMessage = new LinkedHashMap<>();
        p.windowCpu().keySet().forEach(c -> perMessage.put(c, round(p.cpuMicrosPerMessage(c))));
        cpu.put("perMessageMicros", perMessage);
        m.put("gatewayCpu", cpu);
        return m;
    }

    private double capacity(double cpuMicrosPerOp) {
        return cpuMicrosPerOp > 0 ? cores * 1e6 / cpuMicrosPerOp : Double.NaN;
    }

    private static String ratio(double s, double u) {
        return u > 0 && !Double.isNaN(s) && !Double.isNaN(u) ? String.format("%.2f", s / u) : "-";
    }

    static String fmt(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "-";
        }
        return v >= 100 ? String.format("%,.0f", v) : String.format("%.2f", v);
    }

    static double round(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? -1 : Math.round(v * 100) / 100.0;
    }
}
