package org.iomtpq.gateway.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Mosquitto broker process (the Debian {@code mosquitto} package) on a free loopback port, with its
 * own generated config in a temporary folder; it never touches or relies on the system service.
 */
public final class MosquittoProcess implements AutoCloseable {

    public static final Path BINARY = Path.of("/usr/sbin/mosquitto");
    static final String MISSING = "mosquitto not installed: apt-get install -y mosquitto";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);

    private final Process process;
    private final Path workDir;
    private final int port;

    private MosquittoProcess(Process process, Path workDir, int port) {
        this.process = process;
        this.workDir = workDir;
        this.port = port;
    }

    public static boolean isInstalled() {
        return Files.isExecutable(BINARY);
    }

    /**
     * Skips the calling test when mosquitto is missing, or fails it when system packages are required
     * (system property {@code iomt.requireSystemPackages} or env {@code IOMT_REQUIRE_SYSTEM_PACKAGES} = true, as in CI).
     */
    public static void assumeInstalled() {
        SystemPackages.requireOrSkip(isInstalled() ? null : MISSING);
    }

    /** An anonymous broker (the default config), or a skip/failure as {@link #assumeInstalled()} decides. */
    public static MosquittoProcess requireOrSkip() {
        assumeInstalled();
        return startAnonymous();
    }

    public static Optional<MosquittoProcess> startIfInstalled() {
        return isInstalled() ? Optional.of(startAnonymous()) : Optional.empty();
    }

    /**
     * For load and crash tests: anonymous, nothing dropped however far a gateway falls behind or however long it is
     * down (the tests count every acknowledged message), 100 in flight per client, no Nagle delay.
     */
    public static final String KEEP_EVERYTHING = "allow_anonymous true\npersistence false\nmax_queued_messages 1000000\n"
            + "max_inflight_messages 100\nset_tcp_nodelay true\n";

    /**
     * Starts mosquitto with {@code configBody} followed by a generated {@code listener PORT 127.0.0.1}
     * line (last, so global options such as {@code per_listener_settings} come first). The body must not
     * declare listeners, {@code user} or {@code log_dest}; files it names must be absolute paths.
     */
    public static MosquittoProcess start(String configBody) {
        return start(configBody, "");
    }

    /** As above, with {@code listenerOptions} (e.g. certfile and keyfile: a TLS listener) after the listener line. */
    public static MosquittoProcess start(String configBody, String listenerOptions) {
        int port = FreePorts.loopback();
        try {
            Path workDir = Files.createTempDirectory("mosquitto-test");
            // When started as root, mosquitto switches to the 'mosquitto' user, which cannot read our
            // private temp folder: stay the current user instead.
            String config = "user " + System.getProperty("user.name") + "\n"
                    + "log_dest stdout\n"
                    + configBody + "\n"
                    + "listener " + port + " 127.0.0.1\n"
                    + listenerOptions + "\n";
            Path configFile = workDir.resolve("mosquitto.conf");
            Files.writeString(configFile, config, StandardCharsets.UTF_8);
            Path log = workDir.resolve("mosquitto.log");
            Process process = new ProcessBuilder(BINARY.toString(), "-c", configFile.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            MosquittoProcess mosquitto = new MosquittoProcess(process, workDir, port);
            mosquitto.awaitListening();
            return mosquitto;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + BINARY, e);
        }
    }

    private static MosquittoProcess startAnonymous() {
        return start("allow_anonymous true\npersistence false\n");
    }

    public int port() {
        return port;
    }

    public String url() {
        return "tcp://127.0.0.1:" + port;
    }

    /** Folder of the generated config and the broker's log; deleted on close. */
    public Path workDir() {
        return workDir;
    }

    /** What the broker printed so far (for assertion messages). */
    public String log() {
        try {
            return Files.readString(workDir.resolve("mosquitto.log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        deleteRecursively(workDir);
    }

    private void awaitListening() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    String log = log();
                    close();
                    throw new IllegalStateException("mosquitto exited with " + process.exitValue() + ":\n" + log);
                }
                if (FreePorts.isListening(port)) {
                    return;
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String log = log();
        close();
        throw new IllegalStateException("mosquitto did not listen on " + port + " within " + START_TIMEOUT + ":\n" + log);
    }


    private static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // a leftover temp folder is harmless
        }
    }
}
