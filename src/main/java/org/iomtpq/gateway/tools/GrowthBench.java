package org.iomtpq.gateway.tools;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import org.iomtpq.gateway.startup.GatewayRuntime;
import org.iomtpq.gateway.cli.UsageException;
import org.iomtpq.gateway.config.GatewaySettings;
import org.iomtpq.gateway.store.Collections;

/**
 * {@code ./iomt bench --growth}: does the gateway cost the same with a million stored observations as with none? For
 * each store size a fresh gateway whose store is first bulk-filled ({@link StoreFiller}), then the usual measured run
 * (new devices, so new sessions: a new session's first replay-window lookup is what used to scan the store), metered
 * per component like every bench run. Fails instead of reporting when the store did not hold what was planned, or
 * when published messages were not all stored.
 */
final class GrowthBench {

    /** {@code sizes}: stored observations per run; {@code sessions} stored with every non-empty size. */
    record Plan(List<Long> sizes, long sessions, int historyDevices) {
        Plan {
            if (sizes.isEmpty() || sizes.stream().anyMatch(s -> s < 0) || sessions < 1 || historyDevices < 1) {
                throw new UsageException("--growth-sizes needs sizes >= 0, --growth-sessions and"
                        + " --growth-devices >= 1");
            }
        }

        static Plan from(Map<String, String> opts) {
            try {
                List<Long> sizes = new ArrayList<>();
                for (String s : opts.getOrDefault("growth-sizes", "0,100000,1000000").split(",")) {
                    sizes.add(Long.parseLong(s.trim().replace("_", "")));
                }
                return new Plan(sizes, Long.parseLong(opts.getOrDefault("growth-sessions", "100000")),
                        Integer.parseInt(opts.getOrDefault("growth-devices", "300")));
            } catch (NumberFormatException e) {
                throw new UsageException("--growth-sizes, --growth-sessions, --growth-devices take numbers");
            }
        }

        /** The empty store has no sessions either: the baseline is a gateway as on its first day. */
        long sessionsFor(long observations) {
            return observations == 0 ? 0 : sessions;
        }
    }

    /** One measured run: what the store held before the load, how long filling took, and the run. */
    record Size(long observations, long sessions, double fillSeconds, BenchCommand.Phase phase) {
    }

    private final BenchCommand bench;
    private final PrintStream out;
    private final PrintStream err;

    GrowthBench(BenchCommand bench, PrintStream out, PrintStream err) {
        this.bench = bench;
        this.out = out;
        this.err = err;
    }

    int run(Plan plan, Map<String, String> given) throws Exception {
        Map<String, String> opts = new HashMap<>(given);
        opts.putIfAbsent("transport", "mqtt");
        opts.putIfAbsent("devices", "100");
        List<Size> sizes = new ArrayList<>();
        JsonNode ceiling = null;
        try {
            if (!bench.warmUp(opts)) {
                return 1;
            }
            for (long observations : plan.sizes()) {
                Filling filling = new Filling(observations, plan.sessionsFor(observations), plan.historyDevices());
                BenchCommand.Phase phase = bench.runPhase(opts, false, String.format("growth: %,d stored observations,"
                        + " %,d stored sessions", observations, filling.sessions), filling);
                if (phase == null) {
                    return 1;
                }
                sizes.add(new Size(observations, filling.sessions, filling.fillSeconds, phase));
            }
            if (BrokerCeiling.wanted(opts)) {
                ceiling = new BrokerCeiling(bench, out).measure(opts);
                if (ceiling == null) {
                    return 1;
                }
            }
        } catch (IllegalStateException e) {
            if (!sizes.isEmpty()) {
                out.println("\n(only the sizes measured before the failed check:)");
                new GrowthSummary(sizes, null).print(out);
            }
            err.println("bench --growth: CHECK FAILED, the run at the next size is not reported: " + e.getMessage());
            return 1;
        }
        GrowthSummary summary = new GrowthSummary(sizes, ceiling);
        summary.print(out);
        if (opts.containsKey("json")) {
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(Path.of(opts.get("json")).toFile(),
                    summary.toJson());
            out.println("bench: JSON written to " + opts.get("json"));
        }
        return 0;
    }

    /** Fills the fresh gateway's store before the load; afterwards checks that every published message was stored. */
    private final class Filling implements BenchCommand.PhaseHooks {
        private final long observations;
        private final long sessions;
        private final int historyDevices;
        private double fillSeconds;

        Filling(long observations, long sessions, int historyDevices) {
            this.observations = observations;
            this.sessions = sessions;
            this.historyDevices = historyDevices;
        }

        @Override
        public void beforeLoad(GatewayRuntime gateway, GatewaySettings settings) throws Exception {
            try (MongoClient client = MongoClients.create(gateway.mongoUri())) {
                MongoDatabase db = client.getDatabase(settings.get("iomt.mongo.database"));
                StoreFiller.Result r = new StoreFiller(db, observations).fill(new StoreFiller.Plan(observations,
                        sessions, historyDevices, settings.get("iomt.gateway-id")), Instant.now());
                fillSeconds = r.seconds();
                out.printf("bench: store filled with %,d observations and %,d sessions of %d devices in %.1f s"
                                + " (%,.0f documents/s, insertMany of %,d; counts checked)%n", r.observations(),
                        r.sessions(), historyDevices, r.seconds(), r.documentsPerSecond(), StoreFiller.BATCH);
            }
            settle();
        }

        @Override
        public void afterLoad(GatewayRuntime gateway, GatewaySettings settings, BenchCommand.Phase phase) {
            JsonNode load = phase.load();
            long published = load.path("mqtt").path("published").asLong();
            long storedOverMqtt = load.path("mqtt").path("storedAfterDrain").asLong();
            long httpStored = load.path("http").path("ok").asLong();
            try (MongoClient client = MongoClients.create(gateway.mongoUri())) {
                MongoDatabase db = client.getDatabase(settings.get("iomt.mongo.database"));
                long inStore = db.getCollection(Collections.OBSERVATIONS).estimatedDocumentCount();
                long sessionsInStore = db.getCollection(Collections.SESSIONS).estimatedDocumentCount();
                List<String> problems = new ArrayList<>();
                if (storedOverMqtt != published) {
                    problems.add(String.format("%d MQTT messages published, %d stored", published, storedOverMqtt));
                }
                if (inStore != observations + storedOverMqtt + httpStored) {
                    problems.add(String.format("the store holds %,d observations, expected %,d filled + %,d stored",
                            inStore, observations, storedOverMqtt + httpStored));
                }
                if (sessionsInStore < sessions + phase.handshakes()) {
                    problems.add(String.format("the store holds %,d sessions, expected %,d filled + %,d handshakes",
                            sessionsInStore, sessions, phase.handshakes()));
                }
                if (!problems.isEmpty()) {
                    throw new IllegalStateException(String.join("; ", problems));
                }
                out.printf("bench: checked: %,d observations in the store = %,d filled + %,d stored, none lost%n",
                        inStore, observations, storedOverMqtt + httpStored);
                if (phase.messages() == 0) {
                    // a result, not a broken measurement: everything arrived, but only after the window
                    out.println("bench: WARNING: nothing was stored during the telemetry window (all of it only in the"
                            + " drain after it): no CPU per message for this size");
                }
            }
        }
    }

    /**
     * After a bulk fill the JVM has garbage to collect and the H2 store may still be writing: wait (at most 30 s)
     * until the gateway's process uses less than a tenth of a core, so that the fill is not metered as the load's.
     */
    private void settle() throws InterruptedException {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        System.gc();
        long t0 = System.nanoTime();
        for (int i = 0; i < 30; i++) {
            long cpu = os.getProcessCpuTime();
            Thread.sleep(1_000);
            if (os.getProcessCpuTime() - cpu < 100_000_000L) {
                break;
            }
        }
        out.printf("bench: gateway quiet after %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }
}
