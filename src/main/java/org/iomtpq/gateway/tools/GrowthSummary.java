package org.iomtpq.gateway.tools;

import static org.iomtpq.gateway.tools.BenchSummary.fmt;
import static org.iomtpq.gateway.tools.BenchSummary.round;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The end of {@code ./iomt bench --growth}: per store size the gateway's CPU per stored message (all threads, without
 * the JIT compiler, and per component) and per handshake, stored msgs/s, each with its ratio to the empty store
 * (the mean of the size-0 runs), and whether the largest size is within {@value #TARGET}x of the empty one.
 */
final class GrowthSummary {

    /** Issue 9: the figure at 1,000,000 stored observations within 1.25x of the empty store's. */
    static final double TARGET = 1.25;

    /** A reported figure; {@code higherIsBetter} for rates (then "within 1.25x" means at least 1 / 1.25 of empty). */
    record Metric(String name, String unit, String jsonKey, boolean higherIsBetter,
                  ToDoubleFunction<BenchCommand.Phase> value) {
    }

    static final List<Metric> METRICS = List.of(
            new Metric("stored msgs/s", "/s", "storedPerSecond", true,
                    p -> p.load().path("mqtt").path("perSecond").asDouble() + p.load().path("http").path("perSecond").asDouble()),
            new Metric("gateway CPU per stored message, all threads", "us", "cpuMicrosPerStoredMessage", false,
                    p -> p.cpuMicrosPerMessage("total")),
            new Metric("  the same without JIT compilation", "us", "cpuMicrosPerStoredMessageWithoutJit", false,
                    BenchCommand.Phase::cpuMicrosPerMessageCompiled),
            new Metric("gateway CPU per handshake, all threads", "ms", "cpuMillisPerHandshake", false,
                    BenchCommand.Phase::cpuMillisPerHandshake),
            new Metric("  the same without JIT compilation", "ms", "cpuMillisPerHandshakeWithoutJit", false,
                    BenchCommand.Phase::cpuMillisPerHandshakeCompiled));

    private final List<GrowthBench.Size> sizes;
    private final JsonNode ceiling;

    /** {@code ceiling}: the bare-broker run, or null. */
    GrowthSummary(List<GrowthBench.Size> sizes, JsonNode ceiling) {
        this.sizes = sizes;
        this.ceiling = ceiling;
    }

    /** The metric's value with an empty store: the mean over the size-0 runs, NaN if there was none. */
    double empty(ToDoubleFunction<BenchCommand.Phase> metric) {
        return sizes.stream().filter(s -> s.observations() == 0).mapToDouble(s -> metric.applyAsDouble(s.phase()))
                .average().orElse(Double.NaN);
    }

    /** value / empty value; NaN when there is no usable empty figure. */
    double ratio(GrowthBench.Size size, ToDoubleFunction<BenchCommand.Phase> metric) {
        double empty = empty(metric);
        return empty > 0 ? metric.applyAsDouble(size.phase()) / empty : Double.NaN;
    }

    static boolean withinTarget(Metric metric, double ratio) {
        return metric.higherIsBetter() ? ratio >= 1 / TARGET : ratio <= TARGET;
    }

    /** The largest store measured (the target applies to it). */
    GrowthBench.Size largest() {
        return sizes.stream().max(java.util.Comparator.comparingLong(GrowthBench.Size::observations)).orElseThrow();
    }

    void print(PrintStream out) {
        out.println();
        out.println("Growth with stored data (gateway on the embedded defaults, store bulk-filled before each run;"
                + " ratios: x the empty store)");
        StringBuilder head = new StringBuilder(String.format("  %-46s", "stored observations / sessions"));
        sizes.forEach(s -> head.append(String.format(" %22s", String.format("%,d / %,d", s.observations(), s.sessions()))));
        out.println(head);
        row(out, "store fill time (s)", s -> fmt(s.fillSeconds()));
        for (Metric m : METRICS) {
            row(out, m.name() + " (" + m.unit() + ")", s -> String.format("%s (x%s)", fmt(m.value().applyAsDouble(s.phase())),
                    ratioText(ratio(s, m.value()))));
        }
        if (ceiling != null) {
            double bare = ceiling.path("mqtt").path("perSecond").asDouble();
            row(out, "MQTT stored / bare-broker ceiling (" + fmt(bare) + "/s)", s -> fmt(BenchSummary.ceilingRatio(
                    s.phase().load().path("mqtt").path("perSecond").asDouble(), bare)));
        }
        out.println();
        out.println("  Gateway CPU per stored message by component (us; x the empty store):");
        for (String component : sizes.get(0).phase().windowCpu().keySet()) {
            if (component.equals("total")
                    || sizes.stream().allMatch(s -> s.phase().windowCpu().getOrDefault(component, 0L) == 0)) {
                continue; // e.g. the embedded broker when Mosquitto carried the messages
            }
            ToDoubleFunction<BenchCommand.Phase> perMessage = p -> p.cpuMicrosPerMessage(component);
            row(out, "  " + shorten(component), s -> String.format("%s (x%s)", fmt(perMessage.applyAsDouble(s.phase())),
                    ratioText(ratio(s, perMessage))));
        }
        out.println();
        GrowthBench.Size top = largest();
        StringBuilder verdict = new StringBuilder(String.format("  target (%,d stored observations within %.2fx of the"
                + " empty store):", top.observations(), TARGET));
        for (Metric m : METRICS) {
            if (!m.name().startsWith(" ")) {
                double r = ratio(top, m.value());
                verdict.append(String.format(" %s x%s %s;", m.name(), ratioText(r), Double.isNaN(r)
                        ? (Double.isNaN(empty(m.value())) ? "(no empty run)" : "NOT MET (nothing to compare)")
                        : withinTarget(m, r) ? "met" : "NOT MET"));
            }
        }
        out.println(verdict);
        out.println("  Each size ran against a fresh gateway (new devices, new sessions) after a warm-up run; sizes in"
                + " the order given, so JIT drift favours later ones: give 0 again at the end to see it.");
    }

    private interface Cell {
        String of(GrowthBench.Size s);
    }

    private void row(PrintStream out, String name, Cell cell) {
        StringBuilder b = new StringBuilder(String.format("  %-46s", name));
        sizes.forEach(s -> b.append(String.format(" %22s", cell.of(s))));
        out.println(b);
    }

    private static String shorten(String component) {
        return component.length() <= 44 ? component : component.substring(0, 43) + "…";
    }

    static String ratioText(double ratio) {
        return Double.isNaN(ratio) || Double.isInfinite(ratio) ? "-" : String.format("%.2f", ratio);
    }

    Map<String, Object> toJson() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("targetRatio", TARGET);
        root.put("sizes", sizes.stream().map(s -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("storedObservations", s.observations());
            m.put("storedSessions", s.sessions());
            m.put("fillSeconds", round(s.fillSeconds()));
            for (Metric metric : METRICS) {
                m.put(metric.jsonKey(), round(metric.value().applyAsDouble(s.phase())));
                m.put(metric.jsonKey() + "OverEmpty", round(ratio(s, metric.value())));
            }
            Map<String, Object> perComponent = new LinkedHashMap<>();
            s.phase().windowCpu().keySet().forEach(c -> perComponent.put(c, round(s.phase().cpuMicrosPerMessage(c))));
            m.put("cpuMicrosPerStoredMessageByComponent", perComponent);
            if (ceiling != null) {
                m.put("storedOverCeiling", round(BenchSummary.ceilingRatio(
                        s.phase().load().path("mqtt").path("perSecond").asDouble(),
                        ceiling.path("mqtt").path("perSecond").asDouble())));
            }
            m.put("load", s.phase().load());
            m.put("handshakePhaseCpuNanos", s.phase().handshakeCpu());
            m.put("telemetryWindowCpuNanos", s.phase().windowCpu());
            return m;
        }).toList());
        if (ceiling != null) {
            root.put("bareBrokerCeiling", ceiling);
        }
        return root;
    }
}
