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
 * {@code ./iomt gateway} as a separate operating-system process (the built jar, from the project root), started and
 * killed the way a supervisor would: what a crash does to a real process — no shutdown hook, no flush, the OS drops
 * its locks — cannot be had inside the test's JVM. Output goes to one log per start in the data directory.
 */
final class GatewayProcess implements AutoCloseable {

    static final Path JAR = Path.of("target", "iomt-gateway.jar");
    private static final Pattern EMBEDDED_MONGO = Pattern.compile("Embedded MongoDB \\(.*\\) at (mongodb://\\S+)");

    private final Map<String, String> environment;
    private final Path logDir;
    private final String api;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private final List<Path> logs = new ArrayList<>();
    private Process process;

    /** @param environment IOMT_* settings of the gateway (data dir, ports, broker, tokens) */
    GatewayProcess(Map<String, String> environment, Path logDir, String api) {
        assertTrue(Files.isRegularFile(JAR), JAR + " is missing: the integration tests run after `mvn package`");
        this.environment = Map.copyOf(environment);
        this.logDir = logDir;
        this.api = api;
    }

    void start() {
        Path log = logDir.resolve("gateway-" + (logs.size() + 1) + ".log");
        logs.add(log);
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx512m", "-jar", JAR.toString(), "gateway")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the gateway process", e);
        }
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
        try {
            Matcher m = EMBEDDED_MONGO.matcher(Files.readString(logs.get(logs.size() - 1), StandardCharsets.UTF_8));
            assertTrue(m.find(), "the gateway did not log its embedded MongoDB address: " + lastLog());
            return m.group(1);
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
