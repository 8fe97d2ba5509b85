package org.iomtpq.gateway.embedded;

import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.embedded.EmbeddedHiveMQ;
import com.hivemq.embedded.EmbeddedHiveMQBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An in-process MQTT broker (HiveMQ CE embedded) for the demo, tests and a small site: MQTT 3.1.1 and 5, a plain
 * listener, optionally a TLS one ({@link TlsListener}) and logins, ACL and a per-address cap ({@link BrokerSecurity});
 * without them anonymous clients on plain TCP. A large site uses an external broker (see config/mosquitto).
 *
 * <p>Persistence is FILE by default because the gateway relies on QoS 1 with persistent sessions
 * ("acknowledged means stored"): with in-memory persistence a broker restart would silently drop the
 * messages queued for an offline gateway. {@link Persistence#IN_MEMORY} exists for tests that do not care.
 */
public final class EmbeddedMqttBroker implements AutoCloseable {

    /** Where HiveMQ keeps sessions, subscriptions, queued and retained messages. */
    public enum Persistence { FILE, IN_MEMORY }

    // A broken start must surface as an exception, never as a hung gateway.
    private static final long START_TIMEOUT_SECONDS = 60;
    private static final long STOP_TIMEOUT_SECONDS = 30;

    private final EmbeddedHiveMQ hiveMq;
    private final String host;
    private final int port;
    private final Thread.UncaughtExceptionHandler handlerBeforeStart;
    private boolean closed;

    private EmbeddedMqttBroker(EmbeddedHiveMQ hiveMq, String host, int port,
                               Thread.UncaughtExceptionHandler handlerBeforeStart) {
        this.hiveMq = hiveMq;
        this.host = host;
        this.port = port;
        this.handlerBeforeStart = handlerBeforeStart;
    }

    /** Starts a broker with FILE persistence under {@code dataDir/hivemq}; {@code port} 0 picks a free port. */
    public static EmbeddedMqttBroker start(Path dataDir, String bindHost, int port) {
        return start(dataDir, bindHost, port, Persistence.FILE);
    }

    public static EmbeddedMqttBroker start(Path dataDir, String bindHost, int port, Persistence persistence) {
        return start(dataDir, bindHost, port, persistence, null, null);
    }

    /** A TLS listener beside the plain one, with the API's PEM certificate chain and PKCS#8 key. */
    public record TlsListener(String host, int port, Path certificateFile, Path keyFile) {
    }

    /**
     * @param tls      a TLS listener too, or null
     * @param security the broker's logins, ACL and per-address cap (an in-process HiveMQ extension), or null: none
     */
    public static EmbeddedMqttBroker start(Path dataDir, String bindHost, int port, Persistence persistence,
                                           TlsListener tls, BrokerSecurity security) {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(bindHost, "bindHost");
        Objects.requireNonNull(persistence, "persistence");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        // HiveMQ reports no bound port for a port-0 listener, so we choose one ourselves; the short race
        // with another process is acceptable for a development broker and fails loudly below.
        int chosenPort = port == 0 ? freePort(bindHost) : port;
        Path home = dataDir.resolve("hivemq");
        Path conf = home.resolve("conf");
        try {
            Files.createDirectories(conf);
            Files.createDirectories(home.resolve("data"));
            Files.createDirectories(home.resolve("extensions"));
            String tlsListener = "";
            if (tls != null) {
                Path keyStore = conf.resolve("tls.p12");
                byte[] secret = new byte[24];
                new SecureRandom().nextBytes(secret);
                String password = HexFormat.of().formatHex(secret); // for this start only: the store is rewritten each time
                PemKeyStore.write(tls.certificateFile(), tls.keyFile(), keyStore, password.toCharArray());
                tlsListener = tlsListenerXml(tls, keyStore, password);
            }
            Files.writeString(conf.resolve("config.xml"), configXml(bindHost, chosenPort, persistence, tlsListener),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new EmbeddedStartException("cannot prepare HiveMQ folders under " + home, e);
        } catch (IllegalArgumentException e) {
            throw new EmbeddedStartException(e.getMessage(), e);
        }

        // HiveMQ replaces the JVM-wide uncaught-exception handler; we give the previous one back on close.
        Thread.UncaughtExceptionHandler previousHandler = Thread.getDefaultUncaughtExceptionHandler();
        EmbeddedHiveMQBuilder builder = EmbeddedHiveMQ.builder()
                .withConfigurationFolder(conf)
                .withDataFolder(home.resolve("data"))
                .withExtensionsFolder(home.resolve("extensions"))
                .withoutLoggingBootstrap();
        if (security != null) {
            builder.withEmbeddedExtension(EmbeddedExtension.builder().withId("iomt-broker-security")
                    .withName("IoMT gateway broker logins, ACL and connection cap").withVersion("1")
                    .withPriority(1000).withExtensionMain(security).build());
        }
        EmbeddedHiveMQ hiveMq = builder.build();
        EmbeddedMqttBroker broker = new EmbeddedMqttBroker(hiveMq, clientHost(bindHost), chosenPort, previousHandler);
        try {
            hiveMq.start().get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return broker;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            broker.closeQuietly();
            throw new EmbeddedStartException("interrupted while starting HiveMQ", e);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            // e.g. the port is taken: HiveMQ then fails start() with a bare UnrecoverableException
            broker.closeQuietly();
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            String hint = cause.getClass().getSimpleName().equals("UnrecoverableException")
                    ? " (no listener could bind: port in use or address not local?)" : "";
            throw new EmbeddedStartException("HiveMQ failed to start on " + bindHost + ":" + chosenPort
                    + " with data in " + home + ": " + cause + hint, cause);
        }
    }

    /** The port the broker listens on (the chosen one when 0 was asked). */
    public int port() {
        return port;
    }

    /** Client URL, e.g. {@code tcp://127.0.0.1:1883}. */
    public String url() {
        return "tcp://" + host + ":" + port;
    }

    /** Stops the broker, its thread pools and stores, and restores the JVM's uncaught-exception handler. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            closeHiveMqWithin(STOP_TIMEOUT_SECONDS);
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(handlerBeforeStart);
        }
    }

    /*
     * Only EmbeddedHiveMQ.close() runs HiveMQ's shutdown hooks from every state: stop() merely fails after a
     * failed start and leaves its non-daemon threads (and the data-folder lock) behind, so the JVM never
     * exits. close() itself waits without a limit, hence the watchdog thread.
     */
    private void closeHiveMqWithin(long seconds) {
        RuntimeException[] failure = new RuntimeException[1];
        Thread closer = new Thread(() -> {
            try {
                hiveMq.close();
            } catch (ExecutionException e) {
                failure[0] = new IllegalStateException("HiveMQ did not stop cleanly", e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure[0] = new IllegalStateException("interrupted while stopping HiveMQ", e);
            }
        }, "embedded-mqtt-broker-close");
        closer.setDaemon(true);
        closer.start();
        try {
            closer.join(TimeUnit.SECONDS.toMillis(seconds));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping HiveMQ", e);
        }
        if (closer.isAlive()) {
            throw new IllegalStateException("HiveMQ did not stop within " + seconds + " s");
        }
        if (failure[0] != null) {
            throw failure[0];
        }
    }

    @Override
    public String toString() {
        return "EmbeddedMqttBroker[" + url() + "]";
    }

    private void closeQuietly() {
        try {
            close();
        } catch (RuntimeException suppressed) {
            // the start failure is the interesting error; the caller gets that one
        }
    }

    /** Messages the broker holds for one client (the gateway's session) before it drops new ones. */
    static final long MAX_QUEUED_PER_CLIENT = 1_000_000;

    static String configXml(String bindHost, int port, Persistence persistence) {
        return configXml(bindHost, port, persistence, "");
    }

    private static String tlsListenerXml(TlsListener tls, Path keyStore, String password) {
        return "    <tls-tcp-listener>\n"
                + "      <port>" + tls.port() + "</port>\n"
                + "      <bind-address>" + xmlEscape(tls.host()) + "</bind-address>\n"
                + "      <tls>\n"
                + "        <keystore><path>" + xmlEscape(keyStore.toAbsolutePath().toString()) + "</path><password>" + password
                + "</password><private-key-password>" + password + "</private-key-password></keystore>\n"
                + "        <protocols><protocol>TLSv1.3</protocol><protocol>TLSv1.2</protocol></protocols>\n"
                + "        <client-authentication-mode>NONE</client-authentication-mode>\n"
                + "      </tls>\n"
                + "    </tls-tcp-listener>\n";
    }

    private static String configXml(String bindHost, int port, Persistence persistence, String tlsListener) {
        String mode = persistence == Persistence.FILE ? "file" : "in-memory";
        return "<?xml version=\"1.0\"?>\n"
                + "<!-- Generated by EmbeddedMqttBroker on every start: edits are overwritten. -->\n"
                + "<hivemq>\n"
                + "  <listeners>\n"
                + "    <tcp-listener>\n"
                + "      <port>" + port + "</port>\n"
                + "      <bind-address>" + xmlEscape(bindHost) + "</bind-address>\n"
                + "    </tcp-listener>\n"
                + tlsListener
                + "  </listeners>\n"
                + "  <persistence><mode>" + mode + "</mode></persistence>\n"
                // HiveMQ's default keeps 1,000 messages per client and then DISCARDS new ones silently, although the
                // device already got its PUBACK: a gateway that falls 1,000 messages behind (a burst, a restart) would
                // lose vitals. Found by the load harness; same reason as max_queued_messages in config/mosquitto.
                + "  <mqtt><queued-messages><max-queue-size>" + MAX_QUEUED_PER_CLIENT
                + "</max-queue-size><strategy>discard</strategy></queued-messages></mqtt>\n"
                // a development broker must not phone home
                + "  <anonymous-usage-statistics><enabled>false</enabled></anonymous-usage-statistics>\n"
                + "</hivemq>\n";
    }

    private static String xmlEscape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** Wildcard binds are reached through loopback; a specific address is reached directly. */
    private static String clientHost(String bindHost) {
        if (bindHost.equals("0.0.0.0") || bindHost.equals("::") || bindHost.equals("localhost")) {
            return "127.0.0.1";
        }
        return bindHost;
    }

    private static int freePort(String bindHost) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(InetAddress.getByName(bindHost), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new EmbeddedStartException("cannot find a free port on " + bindHost, e);
        }
    }
}
