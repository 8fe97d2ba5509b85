package org.iomtpq.gateway.tools;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.iomtpq.gateway.startup.GatewayRuntime;
import org.iomtpq.gateway.cli.Arguments;
import org.iomtpq.gateway.cli.CommandLine;
import org.iomtpq.gateway.cli.UsageException;
import org.iomtpq.gateway.cli.ValueKind;
import org.iomtpq.gateway.config.EphemeralGateway;
import org.iomtpq.gateway.embedded.EmbeddedMongo;
import org.iomtpq.gateway.config.GatewaySettings;
import org.iomtpq.gateway.simulator.LoadGenerator;
import org.iomtpq.gateway.simulator.LoadReport;

/**
 * {@code ./iomt bench}: starts the gateway in this JVM on the embedded defaults (fresh temp data directory, free
 * ports, random tokens, registry.mode=none) and drives it from a separate JVM running {@code bench-load}, so that
 * the simulated devices' crypto and the gateway do not share a heap or JIT. {@code bench-load} is that load side.
 */
public final class BenchCommand {

    static final CommandLine OPTIONS = CommandLine.command("bench", """
                    load harness: the gateway on embedded defaults in this JVM, simulated devices in a second JVM;
                    handshakes/s, messages/s and latency p50/p95/p99 per transport (docs/benchmarks.md)""")
            .synopsis("[options]")
            .synopsis("--growth [--growth-sizes 0,100000,1000000] [--growth-sessions 100000] [options]")
            .synopsis("--soak MINUTES [--devices 200] [--rate 500] [--broker B] [--json FILE]")
            .option("devices", "N", ValueKind.wholeNumber(1), "simulated devices (default 50)")
            .option("seconds", "S", ValueKind.wholeNumber(1), "telemetry window (default 20)")
            .option("rate", "R", ValueKind.wholeNumber(0), "total telemetry messages/s, 0 = as fast as possible (default 0)")
            .option("transport", "T", ValueKind.oneOf("http", "mqtt", "both"),
                    "http | mqtt | both (default both: half the devices each)")
            .option("handshakes", "H", ValueKind.wholeNumber(0),
                    "handshakes in the handshake phase, devices repeating theirs (default 500)")
            .option("warmup", "S", ValueKind.wholeNumber(0), """
                    first a throw-away run of S seconds (same devices and handshakes) so that the
                    measured runs find the gateway's code compiled by the JIT (default: --seconds; 0 = none)""")
            .option("broker", "B", ValueKind.oneOf("hivemq", "mosquitto"),
                    "hivemq (embedded, default) | mosquitto (Debian's, started as a separate process)")
            .option("store", "S", ValueKind.oneOf("h2", "memory"), """
                    h2 (the embedded default: mongo-java-server on its H2 file) | memory (BENCH ONLY:
                    mongo-java-server's in-memory backend, nothing durable, to show what the gateway itself
                    costs without the H2 file; never a gateway setting; needs --compare no)""")
            .option("compare", "yes|no", ValueKind.oneOf("yes", "no"), """
                    also run against a bench-only gateway that takes telemetry unencrypted, in the
                    order secured, unsecured, unsecured, secured, and report secured / unsecured (default yes)""")
            .option("ceiling", "yes|no", ValueKind.oneOf("yes", "no"), """
                    with MQTT: also measure the same broker's bare pass-through rate (the same publishers,
                    devices and QoS 1, a subscriber that only counts, no gateway) and report stored / ceiling
                    (default yes when the transport includes mqtt)""")
            .option("json", "FILE", ValueKind.outputFile(), "also write the numbers as JSON")
            .flag("growth", "measure with stored data (below)")
            .option("growth-sizes", "L", ValueKind.matching("comma-separated whole numbers >= 0, e.g. 0,100000,1000000",
                    "[0-9_ ]+(,[0-9_ ]+)*"), "comma-separated observation counts (default 0,100000,1000000)")
            .option("growth-sessions", "N", ValueKind.wholeNumber(1), "sessions stored with each non-empty size (default 100000)")
            .option("growth-devices", "N", ValueKind.wholeNumber(1), "past devices the stored data is of (default 300)")
            .option("soak", "MINUTES", ValueKind.wholeNumber(1), "a soak of that many minutes (below)")
            .notes("""
                    Growth with stored data (--growth; transport default mqtt, 100 devices, no unsecured comparison):
                      for each store size a fresh gateway whose store is first bulk-filled with that many observations and
                      --growth-sessions sessions (none for size 0) of --growth-devices past devices, then the measured run
                      with new devices and new sessions; per size gateway CPU per stored message and per handshake and
                      stored msgs/s, with their ratios to the size-0 figure (the mean if 0 is given twice)
                    Soak (--soak MINUTES; MQTT, default 200 devices at --rate 500, no warm-up unless --warmup S):
                      every device runs a new handshake every minute; per minute stored/s, gateway CPU per message, publish ->
                      stored p50/p99, heap after GC; at the end the published-but-not-stored count, which must be 0
                    """);

    /** {@code bench-load}: what {@link #runPhase} and {@link BrokerCeiling} pass to the load generator's JVM. */
    static final CommandLine LOAD_OPTIONS = CommandLine.command("bench-load",
                    "the load generator JVM that ./iomt bench starts (internal): prints progress and a table, writes JSON")
            .option("http", "URL", ValueKind.apiUrl(), "the gateway's API")
            .option("mqtt", "URL", ValueKind.mqttUrl(), "the broker")
            .option("token", "T", ValueKind.text(), "the operator token")
            .option("mongo", "URI", ValueKind.mongoUri(), "the gateway's store, where MQTT telemetry is seen stored")
            .option("database", "NAME", ValueKind.text(), "its database (default iomt)")
            .option("devices", "N", ValueKind.wholeNumber(1), "simulated devices (default 50)")
            .option("seconds", "S", ValueKind.wholeNumber(1), "telemetry window (default 20)")
            .option("rate", "R", ValueKind.wholeNumber(0), "total telemetry messages/s, 0 = as fast as possible (default 0)")
            .option("transport", "T", ValueKind.oneOf("http", "mqtt", "both"), "http | mqtt | both (default both)")
            .option("handshakes", "H", ValueKind.wholeNumber(0), "handshakes in the handshake phase (default 0)")
            .option("unsecured", "true|false", ValueKind.oneOf("true", "false"), "telemetry unencrypted (default false)")
            .option("out", "FILE", ValueKind.outputFile(), "the JSON report")
            .option("mode", "M", ValueKind.oneOf(Arrays.stream(LoadGenerator.Mode.values()).map(Enum::name)
                    .toArray(String[]::new)), "what the load runs against (default GATEWAY)")
            .option("minutes-out", "FILE", ValueKind.outputFile(), "SOAK: a JSON line per minute");

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** One load run against one gateway, with the gateway's CPU during its handshake phase and telemetry window. */
    record Phase(boolean unsecured, JsonNode load, Map<String, Long> handshakeCpu, Map<String, Long> windowCpu) {
        long handshakes() {
            return load.path("handshakes").path("completed").asLong();
        }

        long messages() {
            return load.path("http").path("ok").asLong() + load.path("mqtt").path("storedInWindow").asLong();
        }

        double cpuMillisPerHandshake() {
            return handshakes() == 0 ? Double.NaN : handshakeCpu.get("total") / 1e6 / handshakes();
        }

        /** Without the JIT compiler threads: what the gateway costs once its code is compiled (a long-running one). */
        double cpuMillisPerHandshakeCompiled() {
            return handshakes() == 0 ? Double.NaN
                    : (handshakeCpu.get("total") - handshakeCpu.get(GatewayCpuMeter.JIT)) / 1e6 / handshakes();
        }

        double cpuMicrosPerMessageCompiled() {
            return cpuMicrosPerMessage("total") - cpuMicrosPerMessage(GatewayCpuMeter.JIT);
        }

        double cpuMicrosPerMessage(String component) {
            return messages() == 0 ? Double.NaN : windowCpu.get(component) / 1e3 / messages();
        }
    }

    private final PrintStream out;
    private final PrintStream err;

    public BenchCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /**
     * What a variant of the bench adds to one load run against one gateway. Hooks that find that what was to be
     * measured did not happen throw {@link IllegalStateException}: the run fails instead of reporting a number.
     */
    interface PhaseHooks {
        PhaseHooks NONE = new PhaseHooks() {
        };

        /** The gateway is up, the load generator not yet started (e.g. fill the store). */
        default void beforeLoad(GatewayRuntime gateway, GatewaySettings settings) throws Exception {
        }

        /** More arguments for {@code bench-load}; {@code dir} is the run's temporary directory. */
        default List<String> loadArguments(Path dir) {
            return List.of();
        }

        /** About once a second while the load generator runs. */
        default void whileLoading(GatewayCpuMeter cpu) throws Exception {
        }

        /** The load generator finished and its report was read; the gateway still runs. */
        default void afterLoad(GatewayRuntime gateway, GatewaySettings settings, Phase phase) throws Exception {
        }
    }

    /** {@code bench}: exit 0 when the load run(s) completed, 1 when one failed, 2 on a usage error. */
    public int run(String[] args) {
        return OPTIONS.run(args, out, err, a -> bench(a.asMap()));
    }

    private int bench(Map<String, String> opts) throws Exception {
        if (inMemoryStore(opts) && !opts.containsKey("growth") && !opts.containsKey("soak")
                && !"no".equals(opts.get("compare"))) {
            throw new UsageException("--store memory needs --compare no (the unsecured gateway runs only"
                    + " on the embedded defaults)");
        }
        if (opts.containsKey("growth")) {
            return new GrowthBench(this, out, err).run(GrowthBench.Plan.from(opts), opts);
        }
        if (opts.containsKey("soak")) {
            return new SoakBench(this, out, err).run(opts);
        }
        if (!warmUp(opts)) {
            return 1;
        }
        List<Phase> secured = new ArrayList<>();
        List<Phase> unsecured = new ArrayList<>();
        // secured, unsecured, unsecured, secured: whatever drifts over the runs (JIT, heap, disk) falls on both sides
        boolean compare = opts.getOrDefault("compare", "yes").equals("yes");
        for (boolean plain : compare ? List.of(false, true, true, false) : List.of(false)) {
            Phase phase = runPhase(opts, plain, plain ? "UNSECURED comparison (telemetry not encrypted, bench-only gateway)"
                    : "secured (the product as shipped)", PhaseHooks.NONE);
            if (phase == null) {
                return 1;
            }
            (plain ? unsecured : secured).add(phase);
        }
        JsonNode ceiling = null;
        if (BrokerCeiling.wanted(opts)) {
            ceiling = new BrokerCeiling(this, out).measure(opts);
            if (ceiling == null) {
                return 1;
            }
        }
        BenchSummary summary = new BenchSummary(secured, unsecured, Runtime.getRuntime().availableProcessors(), ceiling);
        summary.print(out);
        if (opts.containsKey("json")) {
            JSON.writeValue(Path.of(opts.get("json")).toFile(), summary.toJson());
            out.println("bench: JSON written to " + opts.get("json"));
        }
        return 0;
    }

    /** The throw-away run before the measured ones ({@code --warmup}, default {@code --seconds}); false if it failed. */
    boolean warmUp(Map<String, String> opts) throws Exception {
        int warmup = Integer.parseInt(opts.getOrDefault("warmup", opts.getOrDefault("seconds", "20")));
        if (warmup > 0) {
            Map<String, String> warm = new HashMap<>(opts);
            warm.put("seconds", String.valueOf(warmup));
            out.printf("%nbench: warm-up run (%d s, secured, results discarded)%n", warmup);
            return runPhase(warm, false, "warm-up", PhaseHooks.NONE) != null;
        }
        return true;
    }

    /**
     * Starts a fresh gateway on the embedded defaults, drives it from a second JVM, meters the gateway's CPU. Null
     * when the load generator failed (said on err).
     */
    Phase runPhase(Map<String, String> opts, boolean unsecured, String label, PhaseHooks hooks) throws Exception {
        Path dataDir = Files.createTempDirectory("iomt-bench");
        Path report = dataDir.resolve("bench-load.json");
        EphemeralGateway ephemeral = EphemeralGateway.in(dataDir.resolve("gateway"));
        BenchMosquitto mosquitto = null;
        if (opts.getOrDefault("broker", "hivemq").equals("mosquitto")) {
            mosquitto = BenchMosquitto.start(dataDir.resolve("mosquitto"), EphemeralGateway.freeLoopbackPort());
            ephemeral.overrides().put("iomt.mqtt.url", mosquitto.url());
        }
        // bench only: the same server without its H2 file, to tell the gateway's own cost from the file store's;
        // in this JVM, so its threads are metered as the embedded MongoDB's, as the H2 server's are
        EmbeddedMongo memoryStore = inMemoryStore(opts) ? EmbeddedMongo.startInMemory() : null;
        if (memoryStore != null) {
            ephemeral.overrides().put("iomt.mongo.uri", memoryStore.connectionString());
        }
        String operatorToken = ephemeral.operatorToken();
        GatewaySettings settings = GatewaySettings.fromEnvironment(ephemeral.overrides());
        out.printf("%nbench: %s run%n", label);
        try (GatewayRuntime gateway = unsecured ? GatewayRuntime.startUnsecuredForBenchmark(settings)
                : GatewayRuntime.start(settings);
             GatewayCpuMeter cpu = new GatewayCpuMeter(mosquitto == null ? -1 : mosquitto.pid())) {
            out.printf("bench: gateway on embedded defaults, HTTP %s, MQTT %s, data %s%n", gateway.httpBaseUrl(),
                    gateway.mqttUrl(), dataDir);
            hooks.beforeLoad(gateway, settings);
            List<String> command = new ArrayList<>(List.of("--http", gateway.httpBaseUrl(), "--mqtt", gateway.mqttUrl(), "--token", operatorToken,
                    "--mongo", gateway.mongoUri(), "--database", settings.get("iomt.mongo.database"),
                    "--devices", opts.getOrDefault("devices", "50"), "--seconds", opts.getOrDefault("seconds", "20"),
                    "--rate", opts.getOrDefault("rate", "0"), "--transport", opts.getOrDefault("transport", "both"),
                    "--handshakes", opts.getOrDefault("handshakes", "500"), "--unsecured", String.valueOf(unsecured),
                    "--out", report.toString()));
            command.addAll(hooks.loadArguments(dataDir));
            if (!runLoadProcess(command, Long.parseLong(opts.getOrDefault("seconds", "20")), report,
                    () -> hooks.whileLoading(cpu))) {
                return null;
            }
            long[] writes = gateway.components().observationWriter().batchesAndRecords();
            out.printf("bench: observations written in %d insertMany commands, %.1f per command on average (whole run)%n",
                    writes[0], writes[0] == 0 ? 0.0 : (double) writes[1] / writes[0]);
            JsonNode json = JSON.readTree(report.toFile());
            JsonNode phases = json.path("phases");
            Phase phase = new Phase(unsecured, json,
                    cpu.between(phases.path("handshakeStartMillis").asLong(), phases.path("handshakeEndMillis").asLong()),
                    cpu.between(phases.path("windowStartMillis").asLong(), phases.path("windowEndMillis").asLong()));
            hooks.afterLoad(gateway, settings, phase);
            return phase;
        } finally {
            if (mosquitto != null) {
                mosquitto.close();
            }
            if (memoryStore != null) {
                memoryStore.close();
            }
            EphemeralGateway.deleteTree(dataDir);
        }
    }

    static boolean inMemoryStore(Map<String, String> opts) {
        return "memory".equals(opts.get("store"));
    }

    interface Tick {
        void run() throws Exception;
    }

    /**
     * Runs {@code bench-load} with these arguments in a second JVM (same classpath), calling {@code tick} about once
     * a second while it runs; true when it exited 0 and wrote {@code report}. The limit is generous: enrollment,
     * handshakes, the window and up to 20 s of draining and sampling.
     */
    boolean runLoadProcess(List<String> loadArguments, long windowSeconds, Path report, Tick tick) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "org.iomtpq.gateway.Launcher", "bench-load"));
        command.addAll(loadArguments);
        Process load = new ProcessBuilder(command).inheritIO().start();
        long deadline = System.nanoTime() + (windowSeconds + 600) * 1_000_000_000L;
        while (!load.waitFor(1, java.util.concurrent.TimeUnit.SECONDS)) {
            tick.run();
            if (System.nanoTime() > deadline) {
                load.destroyForcibly();
                err.println("bench: the load generator did not finish within " + (windowSeconds + 600) + " s: stopped");
                return false;
            }
        }
        tick.run();
        if (load.exitValue() != 0 || !Files.exists(report)) {
            err.println("bench: the load generator failed (exit " + load.exitValue() + ")");
            return false;
        }
        return true;
    }

    /** {@code bench-load}: the load generator process; prints progress and the table, writes JSON to --out. */
    public int runLoad(String[] args) {
        return LOAD_OPTIONS.run(args, out, err, this::load);
    }

    private int load(Arguments o) throws Exception {
        LoadGenerator.Mode mode = LoadGenerator.Mode.valueOf(o.getOrDefault("mode", "GATEWAY"));
        for (String required : mode == LoadGenerator.Mode.BARE_BROKER ? List.of("mqtt", "out")
                : List.of("http", "mqtt", "token", "mongo", "out")) {
            if (!o.has(required)) {
                throw new UsageException("--" + required + " is required");
            }
        }
        LoadGenerator.Plan plan;
        try {
            plan = new LoadGenerator.Plan(o.get("http"), o.get("mqtt"), o.get("token"), o.get("mongo"),
                    o.getOrDefault("database", "iomt"), o.intValue("devices", 50), o.intValue("seconds", 20),
                    o.intValue("rate", 0), o.getOrDefault("transport", "both"), o.intValue("handshakes", 0),
                    Boolean.parseBoolean(o.getOrDefault("unsecured", "false")), Path.of(o.get("out")), mode,
                    o.has("minutes-out") ? Path.of(o.get("minutes-out")) : null);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage()); // options that do not go together
        }
        LoadReport report = new LoadGenerator(plan, out).run();
        report.print(out);
        report.writeJson(plan.out());
        return 0;
    }
}
