package org.iomtpq.gateway.simulator;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/** The numbers of one {@code bench-load} run: the final table and the same numbers as JSON. */
public record LoadReport(int httpDevices, int mqttDevices, int seconds, int targetRate, boolean unsecured,
                         int handshakeThreads,
                         long enrolled, long handshakes, double handshakeSeconds, LatencySummary handshakeLatency,
                         long httpOk, double windowSeconds, LatencySummary httpLatency,
                         long mqttPublished, long mqttStoredInWindow, long mqttStoredAfterDrain,
                         LatencySummary mqttLatency, int mqttSampleEvery, int mqttSamplesLost,
                         int mqttSamplesSkipped, double mqttHeldBackSeconds,
                         Map<String, Long> errors, Phases phases, LoadGenerator.Mode mode) {

    /** Wall-clock (epoch ms) bounds of the handshake phase and the telemetry window, to match gateway-side meters. */
    public record Phases(long handshakeStartMillis, long handshakeEndMillis, long windowStartMillis,
                         long windowEndMillis) {
    }

    static final String HANDSHAKE_METHOD = "end to end, device side included: ML-DSA/ML-KEM work of the simulated device,"
            + " hello + finished round trips; devices handshake in parallel on the thread pool";
    static final String HTTP_METHOD = "POST /telemetry request -> 201 (the gateway answers 201 only after the insert)";
    static final String MQTT_METHOD = "messages/s = observations of the MQTT devices stored during the window (MongoDB"
            + " count before/after) / window; latency: every %dth QoS 1 publish, polled in MongoDB by (sessionId, seq)"
            + " every %d ms from the start of the publish until it is stored (at most %d samples pending, others skipped);"
            + " publishing pauses while more than %d messages are published but not yet stored (the broker acks QoS 1"
            + " at once, so without this bound 'max' would only measure a growing broker queue)";
    public double handshakesPerSecond() {
        return handshakeSeconds <= 0 ? 0 : handshakes / handshakeSeconds;
    }

    public double httpPerSecond() {
        return windowSeconds <= 0 ? 0 : httpOk / windowSeconds;
    }

    public double mqttPerSecond() {
        return windowSeconds <= 0 ? 0 : mqttStoredInWindow / windowSeconds;
    }

    private String mqttMethod() {
        return String.format(MQTT_METHOD, mqttSampleEvery, StoredProbe.POLL_MILLIS, StoredProbe.MAX_PENDING,
                LoadGenerator.MQTT_BACKLOG);
    }

    public void print(PrintStream out) {
        out.println();
        out.println("Load harness results (bench-load)" + (unsecured ? ", UNSECURED comparison run (no telemetry encryption)" : "")
                + (mode == LoadGenerator.Mode.BARE_BROKER ? ", BARE BROKER: no gateway, MQTT messages/s = delivered to a"
                + " subscriber that only counts" : ""));
        out.printf("  %-34s %d (%d HTTP, %d MQTT); window %.1f s; target rate %s%n", "devices", httpDevices + mqttDevices,
                httpDevices, mqttDevices, windowSeconds, targetRate == 0 ? "max" : targetRate + " msgs/s total");
        out.printf("  %-34s %d enrolled, %d handshakes in %.2f s on %d threads%n", "setup", enrolled, handshakes,
                handshakeSeconds, handshakeThreads);
        out.printf("  %-34s %.1f   (%s)%n", "handshakes/s", handshakesPerSecond(), "end to end, device side included");
        out.printf("  %-34s %s%n", "handshake latency p50/p95/p99 ms", handshakeLatency.triple());
        if (httpDevices > 0) {
            out.printf("  %-34s %.1f   (%d x 201)%n", "HTTP messages/s", httpPerSecond(), httpOk);
            out.printf("  %-34s %s   (request -> 201, n=%d)%n", "HTTP latency p50/p95/p99 ms", httpLatency.triple(),
                    httpLatency.count());
        }
        if (mqttDevices > 0) {
            out.printf("  %-34s %.1f   (%d stored in window of %d published; %d stored after drain)%n",
                    "MQTT messages/s (stored)", mqttPerSecond(), mqttStoredInWindow, mqttPublished, mqttStoredAfterDrain);
            out.printf("  %-34s %s   (publish -> stored, sampled, n=%d, skipped %d, not seen in 10 s: %d)%n",
                    "MQTT latency p50/p95/p99 ms", mqttLatency.triple(), mqttLatency.count(), mqttSamplesSkipped,
                    mqttSamplesLost);
            out.printf("  %-34s %.1f s (summed over MQTT workers)%n", "MQTT held back by backlog bound",
                    mqttHeldBackSeconds);
        }
        out.printf("  %-34s %s%n", "errors by code", errors.isEmpty() ? "none" : errors);
        out.println("  method: handshakes " + HANDSHAKE_METHOD + ".");
        out.println("          HTTP " + HTTP_METHOD + ".");
        out.println("          MQTT " + mqttMethod()
                + " (the polling adds a little load to the same MongoDB).");
    }

    public void writeJson(Path file) throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("devices", Map.of("http", httpDevices, "mqtt", mqttDevices));
        root.put("seconds", seconds);
        root.put("windowSeconds", round(windowSeconds));
        root.put("targetRate", targetRate);
        root.put("unsecured", unsecured);
        root.put("mode", mode.name());
        root.put("phases", Map.of("handshakeStartMillis", phases.handshakeStartMillis(),
                "handshakeEndMillis", phases.handshakeEndMillis(), "windowStartMillis", phases.windowStartMillis(),
                "windowEndMillis", phases.windowEndMillis()));
        Map<String, Object> hs = new LinkedHashMap<>();
        hs.put("enrolled", enrolled);
        hs.put("completed", handshakes);
        hs.put("seconds", round(handshakeSeconds));
        hs.put("threads", handshakeThreads);
        hs.put("perSecond", round(handshakesPerSecond()));
        hs.put("latency", handshakeLatency.toMap());
        hs.put("method", HANDSHAKE_METHOD);
        root.put("handshakes", hs);
        Map<String, Object> http = new LinkedHashMap<>();
        http.put("ok", httpOk);
        http.put("perSecond", round(httpPerSecond()));
        http.put("latency", httpLatency.toMap());
        http.put("method", HTTP_METHOD);
        root.put("http", http);
        Map<String, Object> mqtt = new LinkedHashMap<>();
        mqtt.put("published", mqttPublished);
        mqtt.put("storedInWindow", mqttStoredInWindow);
        mqtt.put("storedAfterDrain", mqttStoredAfterDrain);
        mqtt.put("perSecond", round(mqttPerSecond()));
        mqtt.put("latency", mqttLatency.toMap());
        mqtt.put("sampleEvery", mqttSampleEvery);
        mqtt.put("samplesNotSeen", mqttSamplesLost);
        mqtt.put("samplesSkipped", mqttSamplesSkipped);
        mqtt.put("heldBackSeconds", round(mqttHeldBackSeconds));
        mqtt.put("method", mqttMethod());
        root.put("mqtt", mqtt);
        root.put("errors", errors);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), root);
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
