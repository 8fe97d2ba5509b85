package org.iomtpq.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.iomtpq.gateway.testsupport.MosquittoProcess;
import org.iomtpq.gateway.testsupport.RoundRobinProxy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11's acceptance: the independent device client (interop/node-device, Node.js, written from PROTOCOL.md alone)
 * against TWO instances of one logical gateway — one MQTT 5 shared-subscription group on a real Mosquitto, one
 * MongoDB — with its HTTP requests alternating between them through a round-robin load balancer (no sticky sessions),
 * so a device's steps are answered by both. Every check the client makes against one gateway must hold.
 */
class NodeDeviceSharedGroupIT {

    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path dir;

    @Test
    void theIndependentClientPassesAgainstTwoInstancesWithRequestsAlternating() throws Exception {
        NodeDeviceClient.requireOrSkip();
        try (MosquittoProcess mosquitto = MosquittoProcess.requireOrSkip()) {
            String masterKey = Base64.getEncoder().encodeToString(RANDOM.generateSeed(32));
            try (GatewayFixture a = GatewayFixture.start(dir.resolve("a"), instance("a", mosquitto.url(), "", masterKey,
                         Map.of()));
                 GatewayFixture b = startSecond(a, mosquitto.url(), masterKey);
                 RoundRobinProxy balancer = new RoundRobinProxy(List.of(origin(a), origin(b)))) {
                NodeDeviceClient.Run run = NodeDeviceClient.run(List.of("--http", balancer.url() + "/api/v1",
                                "--mqtt", mosquitto.url(), "--token", a.operatorToken(), "--auditor-token",
                                a.auditorToken(), "--transport", "both"),
                        dir.resolve("client.log"), Duration.ofMinutes(5));
                System.out.println("NodeDeviceSharedGroupIT: HTTP requests to A and B " + Arrays.toString(balancer.forwarded())
                        + "\n" + run.digest());
                assertTrue(run.finished(), "the client did not finish within 5 minutes:\n" + run.output());
                assertEquals(0, run.exitCode(), "the independent client reported failures:\n" + run.output());
                assertTrue(run.output().contains("PASS"), "the client ran no checks:\n" + run.output());
                long[] forwarded = balancer.forwarded();
                assertTrue(forwarded[0] > 10 && forwarded[1] > 10, "both instances answered HTTP requests: "
                        + Arrays.toString(forwarded));
            }
        }
    }

    /** B: A's gateway key (the seed copied, as README tells the operator), A's MongoDB, tokens and master key. */
    private GatewayFixture startSecond(GatewayFixture a, String brokerUrl, String masterKey) throws Exception {
        Path dirB = Files.createDirectories(dir.resolve("b"));
        Files.copy(dir.resolve("a").resolve("gateway-mlkem768.seed"), dirB.resolve("gateway-mlkem768.seed"));
        return GatewayFixture.start(dirB, instance("b", brokerUrl, a.runtime().mongoUri(), masterKey,
                Map.of("iomt.operator-token", a.operatorToken(), "iomt.auditor-token", a.auditorToken())));
    }

    private static Map<String, String> instance(String name, String brokerUrl, String mongoUri, String masterKey,
                                                Map<String, String> more) {
        Map<String, String> settings = new java.util.HashMap<>(Map.of("iomt.mqtt.url", brokerUrl, "iomt.mongo.uri",
                mongoUri, "iomt.master-key", masterKey, "iomt.mqtt.shared-group", "interop",
                "iomt.mqtt.client-id", "it-interop-" + name + "-" + UUID.randomUUID()));
        settings.putAll(more);
        return settings;
    }

    /** {@code http://host:port} of an instance's API, without the {@code /api/v1} the client adds back. */
    private static String origin(GatewayFixture gw) {
        return gw.api().substring(0, gw.api().indexOf("/api/v1"));
    }
}
