package org.iomtpq.gateway.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ./iomt gateway} (or {@code ./iomt store}) as a separate operating-system process (the built jar, from the
 * project root), started and killed the way a supervisor would: what a crash does to a real process — no shutdown
 * hook, no flush, the OS drops its locks — cannot be had inside the test's JVM. Output goes to one log per start in
 * the log directory.
 */
final class IomtProcess implements AutoCloseable {

    static final Path JAR = Path.of("target", "iomt-gateway.jar");
    private static final Pattern EMBEDDED_MONGO = Pattern.compile("Embedded MongoDB \\(.*\\) at (mongodb://\\S+)");

    private final String command;
    private final Map<String, String> environment;
    private final Path logDir;
    private final String api;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private final List<Path> logs = new ArrayList<>();
    private Process process;

    /** @param environment IOMT_* settings of the gateway (data dir, ports, broker, tokens) */
    IomtProcess(Map<String, String> environment, Path logDir, String api) {
        this("gateway", environment, logDir, api);
    }

    private IomtProcess(String command, Map<String, String> environment, Path logDir, String api) {
        assertTrue(Files.isRegularFile(JAR), JAR + " is missing: the integration tests run after `mvn package`");
        this.command = command;
        this.environment = Map.copyOf(withOwnManagementPort(command, environment));
        this.logDir = logDir;
        this.api = api;
    }

    /**
     * Several gateways run at once here: each gets a management port of its own unless the test chose one (kept
     * across restarts of the same process, like its other ports).
     */
    static Map<String, String> withOwnManagementPort(String command, Map<String, String> environment) {
        if (!"gateway".equals(command) || environment.containsKey("IOMT_MANAGEMENT_PORT")) {
            return environment;
        }
        Map<String, String> out = new java.util.HashMap<>(environment);
        out.put("IOMT_MANAGEMENT_PORT", String.valueOf(org.iomtpq.gateway.testsupport.FreePorts.loopback()));
        return out;
    }

    /** {@code ./iomt store}: the embedded MongoDB as its own process, configured by IOMT_STORE_* in {@code environment}. */
    static IomtProcess store(Map<String, String> environment, Path logDir) {
        return new IomtProcess("store", environment, logDir, null);
    }

    void start() {
        Path log = logDir.resolve(command + "-" + (logs.size() + 1) + ".log");
        logs.add(log);
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx512m", "-jar", JAR.toString(), command)
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the gateway process", e);
        }
    }

    /**
     * {@code ./iomt ARGS…} once, to its end (a one-shot command such as {@code verify-audit}); prints its output and
     * returns its exit code. Fails if it runs longer than {@code limit}.
     */
    static int runToExit(Map<String, String> environment, Path log, Duration limit, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-jar",
                JAR.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(withOwnManagementPort(args.length == 0 ? "" : args[0], environment));
        Process p = builder.start();
        if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", args) + " did not finish within " + limit);
        }
        System.out.println(Files.readString(log, StandardCharsets.UTF_8).strip());
        return p.exitValue();
    }

    /** Time from now until {@code GET /gateway} answers 200; fails if the process exits or {@code limit} passes. */
    Duration awaitServing(Duration limit) throws InterruptedException {
        long started = System.nanoTime();
        long deadline = started + limit.toNanos();
        while (System.nanoTime() < deadline) {
            assertTrue(process.isAlive(), "the gateway exited with " + exitCodeOrNull() + ": " + lastLog());
            if (answersGatewayRecord()) {
                return Duration.ofNanos(System.nanoTime() - started);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the gateway did not serve within " + limit + ": " + lastLog());
    }

    /** Waits until the current start's log has a line matching {@code line}; fails if the process exits first. */
    void awaitLogLine(Pattern line, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (line.matcher(currentLog()).find()) {
                return;
            }
            assertTrue(process.isAlive(), command + " exited with " + exitCodeOrNull() + ": " + lastLog());
            Thread.sleep(50);
        }
        throw new AssertionError(command + " did not log " + line + " within " + limit + ": " + lastLog());
    }

    /** CPU time (user + system, all threads) the current start has used so far; zero once it has ended. */
    Duration cpu() {
        return process.toHandle().info().totalCpuDuration().orElse(Duration.ZERO);
    }

    boolean answersGatewayRecord() {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(api + "/gateway"))
                    .timeout(Duration.ofSeconds(1)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGTERM; the exit code, or -1 if the process was still running after {@code limit} (then it is killed). */
    int terminate(Duration limit) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            kill9();
            return -1;
        }
        return process.exitValue();
    }

    /** The exit code once the process ended by itself within {@code limit} (a start-up refusal), else -1. */
    int awaitExit(Duration limit) throws InterruptedException {
        return process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    /** The embedded MongoDB's address the running gateway logged at start ("Embedded MongoDB (…) at mongodb://…"). */
    String embeddedMongoUri() {
        Matcher m = EMBEDDED_MONGO.matcher(currentLog());
        assertTrue(m.find(), "the gateway did not log its embedded MongoDB address: " + lastLog());
        return m.group(1);
    }

    private String currentLog() {
        try {
            return Files.readString(logs.get(logs.size() - 1), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String lastLog() {
        if (logs.isEmpty()) {
            return "(never started)";
        }
        try {
            String text = Files.readString(logs.get(logs.size() - 1), StandardCharsets.UTF_8);
            return text.length() > 4000 ? "…" + text.substring(text.length() - 4000) : text;
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private Integer exitCodeOrNull() {
        return process.isAlive() ? null : process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            kill9();
        }
    }
}
