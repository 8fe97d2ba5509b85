package org.iomtpq.gateway.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Settings for a gateway that lives for one command (the demo, each load-harness run): its own data directory,
 * free loopback ports, the embedded MongoDB and broker, fresh random tokens and master key, no chain. Callers add
 * or replace entries of {@link #overrides()} before building {@link GatewaySettings} from them.
 */
public record EphemeralGateway(Map<String, String> overrides, String operatorToken, String auditorToken) {

    private static final SecureRandom RANDOM = new SecureRandom();

    public static EphemeralGateway in(Path dataDir) {
        String operatorToken = randomToken();
        String auditorToken = randomToken();
        Map<String, String> overrides = new LinkedHashMap<>();
        overrides.put("iomt.data-dir", dataDir.toString());
        overrides.put("iomt.http.host", "127.0.0.1");
        overrides.put("iomt.mqtt.host", "127.0.0.1");
        overrides.put("iomt.http.port", String.valueOf(freeLoopbackPort()));
        overrides.put("iomt.mqtt.port", String.valueOf(freeLoopbackPort()));
        overrides.put("iomt.management.host", "127.0.0.1");
        overrides.put("iomt.management.port", String.valueOf(freeLoopbackPort()));
        overrides.put("iomt.mqtt.url", "");
        overrides.put("iomt.mongo.uri", "");
        overrides.put("iomt.operator-token", operatorToken);
        overrides.put("iomt.auditor-token", auditorToken);
        overrides.put("iomt.master-key", randomBase64(32));
        overrides.put("iomt.registry.mode", "none");
        overrides.put("iomt.registry.address", ""); // an exported IOMT_REGISTRY_ADDRESS would contradict mode none
        return new EphemeralGateway(overrides, operatorToken, auditorToken);
    }

    /**
     * Where listen ports are picked: below Linux's default ephemeral range (32768-60999). A port the OS hands out for
     * bind(0) comes from that range, and so does the local port of every OUTGOING connection (the chain client, the
     * MongoDB driver), which could take it between picking and binding; below the range only another listener can.
     */
    private static final int PICK_FROM = 20_000;
    private static final int PICK_SPAN = 12_000;
    private static final java.util.concurrent.atomic.AtomicInteger NEXT =
            new java.util.concurrent.atomic.AtomicInteger(new java.security.SecureRandom().nextInt(PICK_SPAN));

    /** A loopback port that was free a moment ago; whoever binds it next may lose a race, and then says so. */
    public static int freeLoopbackPort() {
        for (int attempt = 0; attempt < PICK_SPAN; attempt++) {
            int port = PICK_FROM + Math.floorMod(NEXT.getAndIncrement(), PICK_SPAN); // distinct within this JVM
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(false);
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                return port;
            } catch (IOException e) {
                // taken: try the next one
            }
        }
        throw new UncheckedIOException("no free loopback port", new IOException("every port in " + PICK_FROM + "-"
                + (PICK_FROM + PICK_SPAN) + " is taken"));
    }

    /** Deletes a directory tree the command created for itself (nothing happens if it is gone). */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static String randomToken() {
        byte[] b = new byte[24];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static String randomBase64(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return Base64.getEncoder().encodeToString(b);
    }
}
