package org.iomtpq.gateway.it;

import static org.iomtpq.gateway.it.Answers.assertError;
import static org.iomtpq.gateway.it.Answers.assertErrorJson;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import org.iomtpq.gateway.embedded.EmbeddedMongo;
import org.iomtpq.gateway.embedded.EmbeddedMqttBroker;
import org.iomtpq.gateway.it.GatewayFixture.Response;
import org.iomtpq.gateway.protocol.Base64s;
import org.iomtpq.gateway.protocol.DeviceIdentity;
import org.iomtpq.gateway.protocol.DeviceSession;
import org.iomtpq.gateway.protocol.ErrorCode;
import org.iomtpq.gateway.protocol.MessageCodec;
import org.iomtpq.gateway.protocol.Step;
import org.iomtpq.gateway.protocol.TelemetryMessage;
import org.iomtpq.gateway.simulator.GatewayAnswer;
import org.iomtpq.gateway.simulator.MqttDeviceTransport;
import org.iomtpq.gateway.simulator.SimulatedDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PROTOCOL.md §6/§8 "acknowledged means stored" while MongoDB is gone from under a running gateway: HTTP answers
 * 503 UNAVAILABLE at once and stores nothing, a retry after recovery is stored once. Over MQTT the gateway holds the
 * broker acknowledgement and retries with backoff: a short outage is bridged without the device noticing; a long
 * one ends in UNAVAILABLE to the device (the message is then acknowledged, so MQTT ingress goes on). MQTT telemetry
 * queued while the gateway is down is stored once it is back. MongoDB and the broker are started by the test so
 * they outlive gateway instances.
 */
class StorageDownIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path dir;

    /** MongoDB and the broker belong to the test, so they outlive gateway instances; settings reuse them. */
    private final class Backends implements AutoCloseable {
        final EmbeddedMqttBroker broker = EmbeddedMqttBroker.start(dir.resolve("broker"), "127.0.0.1", 0);
        EmbeddedMongo mongo = EmbeddedMongo.start(dir.resolve("db"), "127.0.0.1", 0);
        final int mongoPort = mongo.port();
        final Map<String, String> settings = new HashMap<>();

        Backends() {
            byte[] masterKey = new byte[32];
            RANDOM.nextBytes(masterKey);
            settings.put("iomt.mongo.uri", mongo.connectionString());
            settings.put("iomt.mqtt.url", broker.url());
            settings.put("iomt.master-key", Base64.getEncoder().encodeToString(masterKey));
            settings.put("iomt.mqtt.client-id", "it-storage-" + UUID.randomUUID());
        }

        /** A gateway that gives up on storage quickly over MQTT (one retry), so tests see UNAVAILABLE fast. */
        GatewayFixture gateway() {
            Map<String, String> quick = new HashMap<>(settings);
            quick.put("iomt.mqtt.storage-retries", "1");
            quick.put("iomt.mqtt.storage-retry-delay-ms", "50");
            return GatewayFixture.start(dir.resolve("gateway"), quick);
        }

        /** A gateway with the default storage retries (about 23 s of backoff over MQTT). */
        GatewayFixture patientGateway() {
            return GatewayFixture.start(dir.resolve("gateway"), settings);
        }

        void stopMongo() {
            mongo.close();
        }

        /** The same H2 file on the same port: the gateway's driver reconnects by itself. */
        void restartMongo() {
            mongo = EmbeddedMongo.start(dir.resolve("db"), "127.0.0.1", mongoPort);
        }

        @Override
        public void close() {
            mongo.close();
            broker.close();
        }
    }

    @Test
    void storageOutageAnswersUnavailableAndStoresNothing() {
        try (Backends backends = new Backends();
             GatewayFixture gw = backends.gateway();
             MqttDeviceTransport mqtt = new MqttDeviceTransport(backends.broker.url())) {
            DeviceIdentity httpDevice = enroll(gw, "STORAGE_HTTP");
            DeviceIdentity mqttDevice = enroll(gw, "STORAGE_MQTT");
            DeviceSession httpSession = new SimulatedDevice(httpDevice, gw.httpTransport(), RANDOM)
                    .handshake(GatewayFixture.GATEWAY_ID, gw.gatewayKey());
            SimulatedDevice mqttSimulated = new SimulatedDevice(mqttDevice, mqtt, RANDOM);
            DeviceSession mqttSession = mqttSimulated.handshake(GatewayFixture.GATEWAY_ID, gw.gatewayKey());
            String httpSid = Base64s.encode(httpSession.sessionId());
            String mqttSid = Base64s.encode(mqttSession.sessionId());
            assertEquals(201, gw.post("/telemetry", MessageCodec.toJson(httpSession.seal(Forge.normalReading()))).status());
            mqttSimulated.send(Forge.normalReading());
            GatewayFixture.await("MQTT reading 1", WAIT, () -> gw.observation(mqttSid, 1));

            backends.stopMongo();

            TelemetryMessage httpReading = httpSession.seal(Forge.normalReading());
            assertError(gw.post("/telemetry", MessageCodec.toJson(httpReading)), ErrorCode.UNAVAILABLE, "telemetry");
            String mqttReading = MessageCodec.toJson(mqttSession.seal(Forge.normalReading()));
            mqtt.send(mqttDevice.deviceId(), Step.TELEMETRY, mqttReading, WAIT);
            // After its (here: one) retry the gateway tells the device UNAVAILABLE. Waiting for that answer also
            // guarantees the attempt is over before storage returns.
            GatewayAnswer told = mqtt.pendingError(mqttDevice.deviceId(), WAIT)
                    .orElseThrow(() -> new AssertionError("no UNAVAILABLE error on the down topic"));
            assertErrorJson(told.json(), ErrorCode.UNAVAILABLE, "telemetry");

            backends.restartMongo();
            assertEquals(0, gw.observationCount(httpSid, 2), "HTTP: a 503 stored nothing");
            assertEquals(0, gw.observationCount(mqttSid, 2), "MQTT: nothing stored while storage was down");

            // UNAVAILABLE means nothing was accepted: the same bytes again are stored, once
            Response retried = gw.post("/telemetry", MessageCodec.toJson(httpReading));
            assertEquals(201, retried.status(), retried.body());
            assertEquals(1, gw.observationCount(httpSid, 2));
            assertEquals(1, gw.observationCount(mqttSid, 1));
            assertEquals(1, gw.observationCount(httpSid, 1));
        }
    }

    /**
     * After an MQTT message was answered UNAVAILABLE, MQTT ingress goes on: the broker would deliver nothing more to
     * the gateway's session while a QoS 1 message stayed unacknowledged (HiveMQ), and the device's retry is stored.
     */
    @Test
    void mqttIngressKeepsServingAfterAStorageOutage() {
        try (Backends backends = new Backends();
             GatewayFixture gw = backends.gateway();
             MqttDeviceTransport mqtt = new MqttDeviceTransport(backends.broker.url())) {
            DeviceIdentity device = enroll(gw, "STALL_MQTT");
            DeviceIdentity other = enroll(gw, "STALL_OTHER");
            SimulatedDevice simulated = new SimulatedDevice(device, mqtt, RANDOM);
            DeviceSession session = simulated.handshake(GatewayFixture.GATEWAY_ID, gw.gatewayKey());
            backends.stopMongo();
            String reading = MessageCodec.toJson(session.seal(Forge.normalReading()));
            mqtt.send(device.deviceId(), Step.TELEMETRY, reading, WAIT);
            assertErrorJson(mqtt.pendingError(device.deviceId(), WAIT).orElseThrow().json(), ErrorCode.UNAVAILABLE, "telemetry");
            backends.restartMongo();
            new SimulatedDevice(other, mqtt, RANDOM).handshake(GatewayFixture.GATEWAY_ID, gw.gatewayKey());
            mqtt.send(device.deviceId(), Step.TELEMETRY, reading, WAIT); // the device's retry
            String sid = Base64s.encode(session.sessionId());
            GatewayFixture.await("the retried reading", WAIT, () -> gw.observation(sid, 1));
        }
    }

    @Test
    void telemetryQueuedWhileTheGatewayIsDownIsStoredWhenItIsBack() {
        try (Backends backends = new Backends();
             MqttDeviceTransport mqtt = new MqttDeviceTransport(backends.broker.url())) {
            DeviceSession session;
            try (GatewayFixture gw = backends.gateway()) {
                DeviceIdentity device = enroll(gw, "QUEUED_MQTT");
                session = new SimulatedDevice(device, mqtt, RANDOM).handshake(GatewayFixture.GATEWAY_ID, gw.gatewayKey());
            }
            mqtt.send("QUEUED_MQTT", Step.TELEMETRY, MessageCodec.toJson(session.seal(Forge.normalReading())), WAIT);
            try (GatewayFixture gw = backends.gateway()) {
                String sid = Base64s.encode(session.sessionId());
                GatewayFixture.await("queued reading", WAIT, () -> gw.observation(sid, 1));
                assertEquals(1, gw.observationCount(sid, 1));
            }
        }
    }

    /**
     * A short outage over MQTT: the gateway keeps the message unacknowledged and retries; once storage is back the
     * reading is stored, once, and the device never hears of it.
     */
    @Test
    void aShortOutageIsBridgedOverMqtt() throws InterruptedException {
        try (Backends backends = new Backends();
             GatewayFixture gw = backends.patientGateway();
             MqttDeviceTransport mqtt = new MqttDeviceTransport(backends.broker.url())) {
            DeviceIdentity device = enroll(gw, "BRIDGED_MQTT");
            SimulatedDevice simulated = new SimulatedDevice(device, mqtt, RANDOM);
            DeviceSession session = simulated.handshake(GatewayFixture.GATEWAY_ID, gw.gatewayKey());
            backends.stopMongo();
            mqtt.send(device.deviceId(), Step.TELEMETRY, MessageCodec.toJson(session.seal(Forge.normalReading())), WAIT);
            Thread.sleep(1_500); // the outage: a few retries happen meanwhile
            backends.restartMongo();
            String sid = Base64s.encode(session.sessionId());
            GatewayFixture.await("the bridged reading", WAIT, () -> gw.observation(sid, 1));
            assertEquals(1, gw.observationCount(sid, 1));
            // the next reading's error would arrive after any error for the first: a tampered one proves none came
            TelemetryMessage next = session.seal(Forge.normalReading());
            byte[] tampered = next.ciphertext();
            tampered[0] ^= 1;
            mqtt.send(device.deviceId(), Step.TELEMETRY, MessageCodec.toJson(
                    new TelemetryMessage(next.deviceId(), next.sessionId(), next.seq(), tampered)), WAIT);
            GatewayAnswer first = mqtt.pendingError(device.deviceId(), WAIT).orElseThrow();
            assertErrorJson(first.json(), ErrorCode.DECRYPT_FAILED, "telemetry");
        }
    }

    private static DeviceIdentity enroll(GatewayFixture gw, String deviceId) {
        DeviceIdentity identity = DeviceIdentity.generate(deviceId, "bp-monitor", RANDOM);
        Response r = gw.postAsOperator("/devices", Forge.enroll(identity, Instant.now(), RANDOM));
        assertEquals(201, r.status(), r.body());
        return identity;
    }
}
