package org.iomtpq.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.iomtpq.gateway.protocol.Base64s;
import org.iomtpq.gateway.protocol.DeviceHandshake;
import org.iomtpq.gateway.protocol.DeviceIdentity;
import org.iomtpq.gateway.protocol.DeviceSession;
import org.iomtpq.gateway.protocol.ErrorCode;
import org.iomtpq.gateway.protocol.MessageCodec;
import org.iomtpq.gateway.protocol.Step;
import org.iomtpq.gateway.simulator.MqttDeviceTransport;
import org.iomtpq.gateway.simulator.SimulatedDevice;
import org.iomtpq.gateway.simulator.VitalSigns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13 item 2 on a real gateway: RATE_LIMITED (PROTOCOL.md §8) for a flood of bad hellos from one address while a
 * device over MQTT keeps handshaking and streaming; and the API's connection limits (half-sent requests closed,
 * connections per address capped, idle keep-alive closed).
 */
class RateLimitIT {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    void aFloodOfBadHellosFromOneAddressGets429sWhileAnotherDeviceHandshakesAndStreams() throws Exception {
        try (GatewayFixture gw = GatewayFixture.start(dir, Map.of(
                "iomt.limits.source-rejections.rate", "5", "iomt.limits.source-rejections.burst", "50"));
             MqttDeviceTransport mqtt = new MqttDeviceTransport(gw.mqttUrl())) {
            DeviceIdentity ward = DeviceIdentity.generate("PULSE_RATE_OK", "pulse-oximeter", RANDOM);
            assertEquals(201, gw.postAsOperator("/devices", Forge.enroll(ward, Instant.now(), RANDOM)).status());
            DeviceIdentity template = DeviceIdentity.generate("FLOOD_000000", "bp-monitor", RANDOM);
            // a hello for another gateway: refused MALFORMED_REQUEST after parsing, before any key work
            String badHello = MessageCodec.toJson(DeviceHandshake.start(template, "not-this-gateway", gw.gatewayKey(), RANDOM).hello());

            Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            ExecutorService flooders = Executors.newFixedThreadPool(8);
            long started = System.nanoTime();
            for (int i = 0; i < 2_000; i++) {
                String hello = badHello.replace("FLOOD_000000", String.format("FLOOD_%06d", i));
                flooders.submit(() -> {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(gw.api() + "/handshake/hello"))
                            .timeout(WAIT).POST(HttpRequest.BodyPublishers.ofString(hello)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    statuses.computeIfAbsent(r.statusCode(), s -> new AtomicInteger()).incrementAndGet();
                    return null;
                });
            }

            // meanwhile a device over MQTT (the broker hides its address; its deviceId is its own) handshakes and streams
            DeviceSession session = new SimulatedDevice(ward, mqtt, RANDOM).handshake(GatewayFixture.GATEWAY_ID, gw.gatewayKey());
            for (int seq = 1; seq <= 20; seq++) {
                mqtt.send(ward.deviceId(), Step.TELEMETRY, MessageCodec.toJson(session.seal(VitalSigns.originalSample())), WAIT);
            }
            flooders.shutdown();
            assertTrue(flooders.awaitTermination(120, TimeUnit.SECONDS), "the flood was answered");
            double seconds = (System.nanoTime() - started) / 1e9;
            String sessionId = Base64s.encode(session.sessionId());
            for (long seq = 1; seq <= 20; seq++) {
                long s = seq;
                GatewayFixture.await("observation " + seq, WAIT, () -> gw.observation(sessionId, s));
            }

            int refusedAtTheDoor = statuses.getOrDefault(429, new AtomicInteger()).get();
            int parsedAndRefused = statuses.getOrDefault(400, new AtomicInteger()).get();
            assertEquals(2_000, refusedAtTheDoor + parsedAndRefused, "only 400s and 429s: " + statuses);
            // 50 at once, then 5 a second (the flood took `seconds`); a little slack for refills between the counts
            assertTrue(parsedAndRefused <= 50 + 5 * seconds + 5, parsedAndRefused + " parsed in " + seconds + " s");
            assertTrue(refusedAtTheDoor >= 2_000 - 50 - 5 * seconds - 5, statuses.toString());
            assertTrue(gw.rejectedAudits(ErrorCode.RATE_LIMITED) > 0, "the 429s are audited");

            // the flood is over: its address is served again as its rejection tokens come back (5 a second)
            Thread.sleep(400);
            GatewayFixture.Response hello = gw.post("/handshake/hello",
                    MessageCodec.toJson(DeviceHandshake.start(ward, GatewayFixture.GATEWAY_ID, gw.gatewayKey(), RANDOM).hello()));
            assertEquals(200, hello.status(), hello.body());
        }
    }

    @Test
    void failedOperatorAuthenticationsLockTheAddressOut() {
        try (GatewayFixture gw = GatewayFixture.start(dir, Map.of(
                "iomt.limits.auth-failures.rate", "0.01", "iomt.limits.auth-failures.burst", "5"))) {
            for (int i = 0; i < 5; i++) {
                assertEquals(401, gw.get("/devices", "wrong-token-" + i).status());
            }
            GatewayFixture.Response locked = gw.get("/devices", gw.operatorToken());
            assertEquals(429, locked.status(), "refused before the (right) token is compared");
            assertTrue(locked.body().contains("\"code\":\"RATE_LIMITED\"") && !locked.body().contains("inReplyTo"), locked.body());
        }
    }

    @Test
    void halfSentRequestsAreClosedAndConnectionsPerAddressAreCapped() throws Exception {
        try (GatewayFixture gw = GatewayFixture.start(dir, Map.of("iomt.http.request-timeout-ms", "1500",
                "iomt.http.idle-timeout-ms", "1500", "iomt.http.max-connections-per-source", "50"))) {
            URI api = URI.create(gw.api());
            List<Socket> halfSent = new ArrayList<>();
            int capped = 0;
            try {
                for (int i = 0; i < 80; i++) {
                    Socket s = new Socket(api.getHost(), api.getPort());
                    s.setSoTimeout(15_000);
                    s.getOutputStream().write("POST /api/v1/handshake/hello HTTP/1.1\r\nHost: gw\r\nContent-Le"
                            .getBytes(StandardCharsets.US_ASCII));
                    halfSent.add(s);
                }
                for (Socket s : halfSent) {
                    String answer = readUntilClosed(s.getInputStream());
                    if (answer.startsWith("HTTP/1.1 429")) {
                        assertTrue(answer.contains("\"code\":\"RATE_LIMITED\""), answer);
                        capped++;
                    } else {
                        assertEquals("", answer, "a half-sent request is closed without an answer");
                    }
                }
            } finally {
                for (Socket s : halfSent) {
                    s.close();
                }
            }
            assertEquals(30, capped, "80 connections, 50 allowed per address");
            assertEquals(200, gw.get("/gateway", null).status(), "the closed connections no longer count");
            String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(gw.runtime().managementBaseUrl() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(metrics.contains("iomt_http_connections_refused_total 30.0"), metrics);
            assertTrue(metrics.contains("iomt_http_connections_timed_out_total 50.0"), metrics);

            try (Socket idle = new Socket(api.getHost(), api.getPort())) {
                idle.setSoTimeout(15_000);
                idle.getOutputStream().write("GET /api/v1/gateway HTTP/1.1\r\nHost: gw\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                String answer = readUntilClosed(idle.getInputStream());
                assertTrue(answer.startsWith("HTTP/1.1 200"), "answered, then closed once idle: " + answer);
            }
        }
    }

    /** Everything the server sends until it closes; a read timeout (the server kept it open) fails the test. */
    private static String readUntilClosed(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                out.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the gateway kept the connection open for 15 s; it sent: " + out, e);
        } catch (IOException reset) {
            // a reset is a close too
        }
        return out.toString(StandardCharsets.US_ASCII);
    }
}
