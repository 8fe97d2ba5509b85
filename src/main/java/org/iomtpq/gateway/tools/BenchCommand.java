package org.iomtpq.gateway.tools;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.iomtpq.gateway.GatewayRuntime;
import org.iomtpq.gateway.config.GatewaySettings;
import org.iomtpq.gateway.simulator.LoadGenerator;
import org.iomtpq.gateway.simulator.LoadReport;

/**
 * {@code ./iomt bench}: starts the gateway in this JVM on the embedded defaults (fresh temp data directory, free
 * ports, random tokens, registry.mode=none) and drives it from a separate JVM running {@code bench-load}, so that
 * the simulated devices' crypto and the gateway do not share a heap or JIT. {@code bench-load} is that load side.
 */
public final class BenchCommand {

    static final String USAGE = """
            usage: ./iomt bench [--devices N] [--seconds S] [--rate R] [--transport mqtt|http|both] [--json FILE]
              --devices N      simulated devices (default 50)
              --seconds S      telemetry window (default 20)
              --rate R         total telemetry messages/s, 0 = as fast as possible (default 0)
              --transport T    http | mqtt | both (default both: half the devices each)
              --json FILE      also write the numbers as JSON
            """;

    private final PrintStream out;
    private final PrintStream err;

    public BenchCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** {@code bench}: exit 0 when the load run completed, 1 when it failed, 2 on a usage error. */
    public int run(String[] args) throws Exception {
        Map<String, String> opts;
        try {
            opts = options(args, List.of("devices", "seconds", "rate", "transport", "json"));
        } catch (IllegalArgumentException e) {
            err.print(e.getMessage() + "\n" + USAGE);
            return 2;
        }
        Path dataDir = Files.createTempDirectory("iomt-bench");
        Path report = dataDir.resolve("bench-load.json");
        Map<String, String> overrides = new LinkedHashMap<>();
        overrides.put("iomt.data-dir", dataDir.resolve("gateway").toString());
        overrides.put("iomt.http.port", String.valueOf(freePort()));
        overrides.put("iomt.mqtt.port", String.valueOf(freePort()));
        overrides.put("iomt.mqtt.url", "");
        overrides.put("iomt.mongo.uri", "");
        String operatorToken = randomToken();
        overrides.put("iomt.operator-token", operatorToken);
        overrides.put("iomt.auditor-token", randomToken());
        overrides.put("iomt.master-key", randomBase64(32));
        overrides.put("iomt.registry.mode", "none");
        GatewaySettings settings = GatewaySettings.fromEnvironment(overrides);
        try (GatewayRuntime gateway = GatewayRuntime.start(settings)) {
            out.printf("bench: gateway on embedded defaults, HTTP %s, MQTT %s, data %s%n", gateway.httpBaseUrl(),
                    gateway.mqttUrl(), dataDir);
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), "org.iomtpq.gateway.Launcher", "bench-load",
                    "--http", gateway.httpBaseUrl(), "--mqtt", gateway.mqttUrl(), "--token", operatorToken,
                    "--mongo", gateway.mongoUri(), "--database", settings.get("iomt.mongo.database"),
                    "--devices", opts.getOrDefault("devices", "50"), "--seconds", opts.getOrDefault("seconds", "20"),
                    "--rate", opts.getOrDefault("rate", "0"), "--transport", opts.getOrDefault("transport", "both"),
                    "--out", report.toString()));
            Process load = new ProcessBuilder(command).inheritIO().start();
            // Generous: enrollment, handshakes, the window and up to 20 s of draining and sampling.
            long limit = Long.parseLong(opts.getOrDefault("seconds", "20")) + 600;
            if (!load.waitFor(limit, java.util.concurrent.TimeUnit.SECONDS)) {
                load.destroyForcibly();
                err.println("bench: the load generator did not finish within " + limit + " s: stopped");
                return 1;
            }
            int exit = load.exitValue();
            if (exit != 0 || !Files.exists(report)) {
                err.println("bench: the load generator failed (exit " + exit + ")");
                return 1;
            }
            if (opts.containsKey("json")) {
                Files.copy(report, Path.of(opts.get("json")), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                out.println("bench: JSON written to " + opts.get("json"));
            }
            return 0;
        } finally {
            deleteTree(dataDir);
        }
    }

    /** {@code bench-load}: the load generator process; prints progress and the table, writes JSON to --out. */
    public int runLoad(String[] args) throws Exception {
        Map<String, String> o;
        LoadGenerator.Plan plan;
        try {
            o = options(args, List.of("http", "mqtt", "token", "mongo", "database", "devices", "seconds", "rate",
                    "transport", "out"));
            for (String required : List.of("http", "mqtt", "token", "mongo", "out")) {
                if (!o.containsKey(required)) {
                    throw new IllegalArgumentException("bench-load needs --" + required);
                }
            }
            plan = new LoadGenerator.Plan(o.get("http"), o.get("mqtt"), o.get("token"), o.get("mongo"),
                    o.getOrDefault("database", "iomt"), Integer.parseInt(o.getOrDefault("devices", "50")),
                    Integer.parseInt(o.getOrDefault("seconds", "20")), Integer.parseInt(o.getOrDefault("rate", "0")),
                    o.getOrDefault("transport", "both"), Path.of(o.get("out")));
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 2;
        }
        LoadReport report = new LoadGenerator(plan, out).run();
        report.print(out);
        report.writeJson(plan.out());
        return 0;
    }

    static Map<String, String> options(String[] args, List<String> known) {
        Map<String, String> out = new HashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            String name = args[i].startsWith("--") ? args[i].substring(2) : null;
            if (name == null || !known.contains(name) || i + 1 >= args.length) {
                throw new IllegalArgumentException("unexpected argument " + args[i]);
            }
            out.put(name, args[i + 1]);
        }
        return out;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String randomToken() {
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static String randomBase64(int bytes) {
        byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        return Base64.getEncoder().encodeToString(b);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
