package org.iomtpq.gateway.tools;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.iomtpq.gateway.config.EphemeralGateway;
import org.iomtpq.gateway.embedded.EmbeddedMqttBroker;

/**
 * The bare-broker ceiling of a bench invocation (issue 9, item 5): the same broker (a fresh one, configured as for
 * the gateway runs), the same publishers (the load generator's MQTT path: as many devices, real sessions, sealed
 * telemetry of the same size, QoS 1, as fast as the broker takes it, the same backlog bound) and no gateway, only a
 * subscriber that counts. Stored msgs/s of the gateway runs divided by this rate says how much of what the broker can
 * carry on this machine the gateway turns into stored observations.
 */
final class BrokerCeiling {

    private final BenchCommand bench;
    private final PrintStream out;

    BrokerCeiling(BenchCommand bench, PrintStream out) {
        this.bench = bench;
        this.out = out;
    }

    /** {@code --ceiling} (default yes) and the transport carries MQTT. */
    static boolean wanted(Map<String, String> opts) {
        return opts.getOrDefault("ceiling", "yes").equals("yes")
                && !opts.getOrDefault("transport", "both").equals("http");
    }

    /** MQTT devices of the gateway runs with these options: all of them, or half with {@code --transport both}. */
    static int mqttDevices(Map<String, String> opts) {
        int devices = Integer.parseInt(opts.getOrDefault("devices", "50"));
        return opts.getOrDefault("transport", "both").equals("both") ? devices / 2 : devices;
    }

    /** The bare-broker run's load report (mqtt.perSecond = delivered/s), or null when it failed. */
    JsonNode measure(Map<String, String> opts) throws Exception {
        Path dir = Files.createTempDirectory("iomt-bench-ceiling");
        Path report = dir.resolve("bench-load.json");
        boolean mosquitto = opts.getOrDefault("broker", "hivemq").equals("mosquitto");
        out.printf("%nbench: bare-broker ceiling run (%s, no gateway, a subscriber that only counts)%n",
                mosquitto ? "Mosquitto" : "embedded HiveMQ");
        AutoCloseable broker = null;
        try {
            String url;
            if (mosquitto) {
                BenchMosquitto m = BenchMosquitto.start(dir.resolve("mosquitto"), EphemeralGateway.freeLoopbackPort());
                broker = m;
                url = m.url();
            } else {
                EmbeddedMqttBroker h = EmbeddedMqttBroker.start(dir, "127.0.0.1", EphemeralGateway.freeLoopbackPort());
                broker = h;
                url = h.url();
            }
            List<String> args = new ArrayList<>(List.of("--mode", "BARE_BROKER", "--mqtt", url, "--transport", "mqtt",
                    "--devices", String.valueOf(mqttDevices(opts)), "--seconds", opts.getOrDefault("seconds", "20"),
                    "--rate", "0", "--out", report.toString()));
            if (!bench.runLoadProcess(args, Long.parseLong(opts.getOrDefault("seconds", "20")), report, () -> { })) {
                return null;
            }
            JsonNode json = new ObjectMapper().readTree(report.toFile());
            long published = json.path("mqtt").path("published").asLong();
            long delivered = json.path("mqtt").path("storedAfterDrain").asLong();
            out.printf("bench: bare broker delivered %,.0f msgs/s (%d of %d published delivered after the drain)%n",
                    json.path("mqtt").path("perSecond").asDouble(), delivered, published);
            if (delivered != published) {
                // QoS 1 to a subscriber that only counts: nothing may be missing, or the rate means nothing
                throw new IllegalStateException("bare-broker run: " + (published - delivered)
                        + " acknowledged publishes never reached the counting subscriber");
            }
            return json;
        } finally {
            if (broker != null) {
                broker.close();
            }
            EphemeralGateway.deleteTree(dir);
        }
    }
}
