package org.iomtpq.gateway.tools;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The end of {@code ./iomt bench}: the secured run next to the unsecured comparison (same parameters, same
 * machine, one after the other), the ratios, and where the gateway's CPU went per handshake and per message.
 */
final class BenchSummary {

    private final BenchCommand.Phase secured;
    private final BenchCommand.Phase unsecured;
    private final int cores;

    /** {@code unsecured} null when the comparison was switched off. */
    BenchSummary(BenchCommand.Phase secured, BenchCommand.Phase unsecured, int cores) {
        this.secured = secured;
        this.unsecured = unsecured;
        this.cores = cores;
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
            double s = r.value().applyAsDouble(secured);
            if (unsecured == null) {
                out.printf("  %-44s %12s%n", r.name() + " (" + r.unit() + ")", fmt(s));
            } else {
                double u = r.value().applyAsDouble(unsecured);
                out.printf("  %-44s %12s %12s %10s%n", r.name() + " (" + r.unit() + ")", fmt(s), fmt(u), ratio(s, u));
            }
        }
        out.printf("  %-44s %12s%n", "gateway-side handshake capacity, estimate",
                fmt(capacity(secured.cpuMillisPerHandshakeCompiled() * 1e3)) + "/s  (" + cores
                        + " cores / gateway CPU per handshake without JIT)");
        out.printf("  %-44s %12s%n", "gateway-side message capacity, estimate",
                fmt(capacity(secured.cpuMicrosPerMessageCompiled())) + "/s  (" + cores
                        + " cores / gateway CPU per message without JIT)");
        breakdown(out, "handshake", "ms", 1e6, BenchCommand.Phase::handshakeCpu, BenchCommand.Phase::handshakes);
        breakdown(out, "stored message", "us", 1e3, BenchCommand.Phase::windowCpu, BenchCommand.Phase::messages);
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
        for (String component : cpu.apply(secured).keySet()) {
            if (component.equals("total") || component.equals(GatewayCpuMeter.EXTERNAL_BROKER)) {
                continue;
            }
            String line = String.format("    %-68s %8s (%s)", component,
                    fmt(perOp(cpu.apply(secured), count.applyAsLong(secured), component, nanosPerUnit)),
                    share(cpu.apply(secured), component));
            if (unsecured != null) {
                line += String.format("   unsecured %8s",
                        fmt(perOp(cpu.apply(unsecured), count.applyAsLong(unsecured), component, nanosPerUnit)));
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

    Map<String, Object> toJson() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("cores", cores);
        root.put("secured", phaseJson(secured));
        if (unsecured != null) {
            root.put("unsecured", phaseJson(unsecured));
            Map<String, Object> ratios = new LinkedHashMap<>();
            for (Row r : ROWS) {
                ratios.put(r.name(), round(r.value().applyAsDouble(secured) / r.value().applyAsDouble(unsecured)));
            }
            root.put("securedOverUnsecured", ratios);
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

    private static String share(Map<String, Long> cpu, String component) {
        long total = cpu.get("total");
        return total <= 0 ? "-" : String.format("%.0f%%", 100.0 * cpu.get(component) / total);
    }

    private static String ratio(double s, double u) {
        return u > 0 && !Double.isNaN(s) && !Double.isNaN(u) ? String.format("%.2f", s / u) : "-";
    }

    private static String fmt(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "-";
        }
        return v >= 100 ? String.format("%,.0f", v) : String.format("%.2f", v);
    }

    private static double round(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? -1 : Math.round(v * 100) / 100.0;
    }
}
