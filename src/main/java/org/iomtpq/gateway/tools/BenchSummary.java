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
        new Row("HTTP messages/s (201 = stored)", "/s", p -> p.load().path("http").path("perSecond").asDouble()),
        new Row("HTTP latency p50", "ms", p -> p.load().path("http").path("latency").path("p50").asDouble()),
        new Row("HTTP latency p99", "ms", p -> p.load().path("http").path("latency").path("p99").asDouble()),
        new Row("MQTT messages/s (stored)", "/s", p -> p.load().path("mqtt").path("perSecond").asDouble()),
        new Row("MQTT latency p50 (publish -> stored)", "ms",
                p -> p.load().path("mqtt").path("latency").path("p50").asDouble()),
        new Row("MQTT latency p99 (publish -> stored)", "ms",
                p -> p.load().path("mqtt").path("latency").path("p99").asDouble()),
        new Row("gateway CPU per stored message", "us", p -> p.cpuMicrosPerMessage("total")),
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
        out.printf("  %-44s %12s%n", "gateway-side handshake capacity, estimate", fmt(capacity(secured.cpuMillisPerHandshake() * 1e3))
                + "/s  (" + cores + " cores / gateway CPU per handshake)");
        out.printf("  %-44s %12s%n", "gateway-side message capacity, estimate", fmt(capacity(secured.cpuMicrosPerMessage("total")))
                + "/s  (" + cores + " cores / gateway CPU per message)");
        out.println();
        out.println("  Gateway CPU per stored message by component, telemetry window (us; share of the gateway's CPU):");
        for (String component : secured.windowCpu().keySet()) {
            if (component.equals("total")) {
                continue;
            }
            double s = secured.cpuMicrosPerMessage(component);
            String line = String.format("    %-68s %8s (%s)", component, fmt(s), share(secured, component));
            if (unsecured != null) {
                line += String.format("   unsecured %8s", fmt(unsecured.cpuMicrosPerMessage(component)));
            }
            out.println(line);
        }
        out.println("  ratio = secured / unsecured (for latency and CPU, above 1 means security costs that much more).");
        out.println("  unsecured = the same pipeline and handshake, telemetry sent and accepted without AES-GCM (a");
        out.println("  gateway started only by the benchmark for this comparison). Capacity estimates assume the");
        out.println("  gateway alone on all cores at the CPU cost measured here; they are not measured rates.");
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
        Map<String, Object> perMessage = new LinkedHashMap<>();
        p.windowCpu().keySet().forEach(c -> perMessage.put(c, round(p.cpuMicrosPerMessage(c))));
        cpu.put("perMessageMicros", perMessage);
        m.put("gatewayCpu", cpu);
        return m;
    }

    private double capacity(double cpuMicrosPerOp) {
        return cpuMicrosPerOp > 0 ? cores * 1e6 / cpuMicrosPerOp : Double.NaN;
    }

    private static String share(BenchCommand.Phase p, String component) {
        long total = p.windowCpu().get("total");
        return total <= 0 ? "-" : String.format("%.0f%%", 100.0 * p.windowCpu().get(component) / total);
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
