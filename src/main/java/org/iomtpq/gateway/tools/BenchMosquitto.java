package org.iomtpq.gateway.tools;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code ./iomt bench --broker mosquitto}: Debian's Mosquitto as the gateway's broker instead of the embedded HiveMQ,
 * on a free loopback port with its own config in the bench's temp folder, so the broker's CPU leaves the gateway's
 * JVM and is metered as a process of its own. Anonymous, loopback only: a benchmark broker, not a deployment (see
 * config/mosquitto for that).
 */
final class BenchMosquitto implements AutoCloseable {

    static final Path BINARY = Path.of("/usr/sbin/mosquitto");

    private final Process process;
    private final int port;

    private BenchMosquitto(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static BenchMosquitto start(Path dir, int port) throws IOException, InterruptedException {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException("--broker mosquitto needs " + BINARY + " (apt-get install -y mosquitto)");
        }
        Files.createDirectories(dir);
        // Same queue limits as config/mosquitto: a gateway that falls behind must not lose acknowledged messages.
        String config = "user " + System.getProperty("user.name") + "\n"
                + "allow_anonymous true\n"
                + "persistence true\n"
                + "persistence_location " + dir.toAbsolutePath() + "/\n"
                + "max_queued_messages 1000000\n"
                + "max_inflight_messages 100\n"
                + "set_tcp_nodelay true\n"
                + "log_dest file " + dir.resolve("mosquitto.log").toAbsolutePath() + "\n"
                + "listener " + port + " 127.0.0.1\n";
        Path conf = dir.resolve("mosquitto.conf");
        Files.writeString(conf, config, StandardCharsets.UTF_8);
        Process process = new ProcessBuilder(BINARY.toString(), "-c", conf.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
        BenchMosquitto broker = new BenchMosquitto(process, port);
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return broker;
            } catch (IOException notYet) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("mosquitto exited at start; see " + dir.resolve("mosquitto.log"));
                }
                Thread.sleep(50);
            }
        }
        broker.close();
        throw new IllegalStateException("mosquitto did not listen on port " + port + " within 15 s");
    }

    String url() {
        return "tcp://127.0.0.1:" + port;
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
