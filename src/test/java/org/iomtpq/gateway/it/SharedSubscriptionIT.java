package org.iomtpq.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.mongodb.client.model.Filters;
import org.apache.camel.component.paho.mqtt5.PahoMqtt5Endpoint;
import org.iomtpq.gateway.protocol.Base64s;
import org.iomtpq.gateway.protocol.DeviceIdentity;
import org.iomtpq.gateway.protocol.DeviceSession;
import org.iomtpq.gateway.protocol.MessageCodec;
import org.iomtpq.gateway.protocol.Step;
import org.iomtpq.gateway.simulator.GatewayAnswer;
import org.iomtpq.gateway.simulator.MqttDeviceTransport;
import org.iomtpq.gateway.simulator.SimulatedDevice;
import org.iomtpq.gateway.simulator.VitalSigns;
import org.iomtpq.gateway.testsupport.MosquittoProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two instances of one logical gateway (one gateway key, one master key, one MongoDB) in one MQTT 5 shared
 * subscription group, each with its own client id: devices enroll, handshake and stream QoS 1 telemetry over MQTT; the
 * broker hands each message to one instance, so every observation is written once, by one of them, both instances
 * write some, and every device gets every answer (from whichever instance handled its request). Run on a real
 * Mosquitto and on the first gateway's embedded HiveMQ.
 */
class SharedSubscriptionIT {

    private static final String GROUP = "g1";
    private static final int DEVICES = 6;
    private static final int READINGS = 30; // per device; fewer than the 64 of the replay window (README: known limit)
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path dir;

    @Test
    void twoInstancesOnOneMosquittoShareTheDevicesMessages() throws Exception {
        try (MosquittoProcess mosquitto = MosquittoProcess.requireOrSkip()) {
            String masterKey = masterKey();
            try (GatewayFixture a = GatewayFixture.start(dir.resolve("a"), instance("a", mosquitto.url(), "", masterKey));
                 GatewayFixture b = startSecond(a, mosquitto.url(), masterKey)) {
                devicesStreamThroughBoth(a, b, "MOSQ_SHARED", true);
            }
        }
    }

    @Test
    void twoInstancesOnTheEmbeddedHiveMqShareTheDevicesMessages() throws Exception {
        String masterKey = masterKey();
        try (GatewayFixture a = GatewayFixture.start(dir.resolve("a"), instance("a", "", "", masterKey));
             GatewayFixture b = startSecond(a, a.mqttUrl(), masterKey)) {
            devicesStreamThroughBoth(a, b, "HIVE_SHARED", false);
        }
    }

    /** B: A's gateway key (copied, as an operator copies the seed file) and A's MongoDB, on the broker given. */
    private GatewayFixture startSecond(GatewayFixture a, String brokerUrl, String masterKey) throws Exception {
        Path dirB = Files.createDirectories(dir.resolve("b"));
        Files.copy(dir.resolve("a").resolve("gateway-mlkem768.seed"), dirB.resolve("gateway-mlkem768.seed"));
        return GatewayFixture.start(dirB, instance("b", brokerUrl, a.runtime().mongoUri(), masterKey));
    }

    private static Map<String, String> instance(String name, String brokerUrl, String mongoUri, String masterKey) {
        return Map.of("iomt.mqtt.url", brokerUrl, "iomt.mongo.uri", mongoUri, "iomt.master-key", masterKey,
                "iomt.mqtt.shared-group", GROUP, "iomt.mqtt.client-id", "it-share-" + name + "-" + UUID.randomUUID());
    }

    private static String masterKey() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    /**
     * @param telemetrySplit the broker alternates between the group's members (Mosquitto: 90 and 90 readings here);
     *        HiveMQ hands a burst to a member with room in its window, which may be one instance for all of it (0 and
     *        180 in runs here, while the enroll and finished steps went to both; readings 100 ms apart went to both)
     */
    private static void devicesStreamThroughBoth(GatewayFixture a, GatewayFixture b, String prefix, boolean telemetrySplit) {
        for (GatewayFixture gw : List.of(a, b)) {
            PahoMqtt5Endpoint ingest = (PahoMqtt5Endpoint) gw.runtime().camelContext().getRoute("mqtt-ingest").getEndpoint();
            assertEquals("$share/" + GROUP + "/iomt/v1/+/up/+", ingest.getTopic());
        }
        assertEquals(a.gatewayKey(), b.gatewayKey(), "one logical gateway: one ML-KEM identity");
        try (MqttDeviceTransport mqtt = new MqttDeviceTransport(a.mqttUrl())) {
            List<SimulatedDevice> devices = new ArrayList<>();
            for (int i = 1; i <= DEVICES; i++) {
                devices.add(enrolledAndConnected(a, mqtt, prefix + "_" + i));
            }
            for (int seq = 1; seq <= READINGS; seq++) { // interleaved, as a ward's devices send
                for (SimulatedDevice d : devices) {
                    d.send(VitalSigns.sample("pulse-oximeter", RANDOM));
                }
            }
            long expected = (long) DEVICES * READINGS;
            GatewayFixture.awaitTrue(expected + " observations", WAIT,
                    () -> a.count("observations", Filters.regex("deviceId", "^" + prefix + "_")) >= expected);
            for (SimulatedDevice d : devices) {
                String sessionId = Base64s.encode(d.session().sessionId());
                for (long seq = 1; seq <= READINGS; seq++) {
                    assertEquals(1, a.observationCount(sessionId, seq), d.deviceId() + " seq " + seq + " stored once");
                }
                assertTrue(d.pendingError(Duration.ofMillis(200)).isEmpty(), d.deviceId() + " got a telemetry error");
            }
            assertEquals(expected, a.count("observations", Filters.regex("deviceId", "^" + prefix + "_")));
            long byA = written(a);
            long byB = written(b);
            long stepsA = decided(a, a);
            long stepsB = decided(a, b);
            System.out.printf("SharedSubscriptionIT %s: observations written by A %d, by B %d; enrollments and handshakes"
                    + " decided by A %d, by B %d%n", prefix, byA, byB, stepsA, stepsB);
            assertEquals(expected, byA + byB, "each reading was handed to one instance only");
            assertEquals(2L * DEVICES, stepsA + stepsB, "each enroll and finished was handled by one instance only");
            assertTrue(byA + stepsA > 0 && byB + stepsB > 0, "both instances took device messages: A " + (byA + stepsA)
                    + ", B " + (byB + stepsB));
            if (telemetrySplit) {
                assertTrue(byA > 0 && byB > 0, "the broker alternates: both instances wrote readings: A " + byA + ", B " + byB);
            }
        }
    }

    /** Observations this instance's writer sent to the store (a reading handed to both would be counted twice). */
    private static long written(GatewayFixture instance) {
        return instance.runtime().components().observationWriter().batchesAndRecords()[1];
    }

    /** Approved at A over HTTP, enrolled and handshaken over MQTT: any instance may answer any step. */
    private static SimulatedDevice enrolledAndConnected(GatewayFixture a, MqttDeviceTransport mqtt, String deviceId) {
        DeviceIdentity identity = DeviceIdentity.generate(deviceId, "pulse-oximeter", RANDOM);
        GatewayFixture.Response approval = a.postAsOperator("/devices/" + deviceId + "/approval", "{\"ttlSeconds\":600}");
        assertEquals(201, approval.status(), approval.body());
        GatewayAnswer enrolled = mqtt.send(deviceId, Step.ENROLL, Forge.enroll(identity, Instant.now(), RANDOM), WAIT)
                .orElseGet(() -> fail("no enrolled answer for " + deviceId));
        assertFalse(enrolled.isError(), enrolled.json());
        assertEquals("ACTIVE", MessageCodec.parseEnrolled(enrolled.json().getBytes(java.nio.charset.StandardCharsets.UTF_8)).status());
        SimulatedDevice device = new SimulatedDevice(identity, mqtt, RANDOM);
        DeviceSession session = device.handshake(GatewayFixture.GATEWAY_ID, a.gatewayKey());
        assertEquals(16, session.sessionId().length);
        return device;
    }

    /** DEVICE_ENROLLED and AUTHENTICATED entries in {@code instance}'s own audit stream: the steps it decided. */
    private static long decided(GatewayFixture store, GatewayFixture instance) {
        return store.count("audit_logs", Filters.and(Filters.eq("stream", instance.runtime().components().audit().stream()),
                Filters.in("eventType", "DEVICE_ENROLLED", "AUTHENTICATED")));
    }
}
