package org.iomtpq.gateway.it;

import static org.iomtpq.gateway.it.Answers.assertErrorJson;
import static org.iomtpq.gateway.it.Answers.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.model.Filters;
import org.bson.Document;
import org.apache.camel.component.paho.mqtt5.PahoMqtt5Endpoint;
import org.iomtpq.gateway.camel.IngressMqttClient;
import org.iomtpq.gateway.it.GatewayFixture.Response;
import org.iomtpq.gateway.net.GatedMqttClient;
import org.iomtpq.gateway.protocol.Base64s;
import org.iomtpq.gateway.protocol.DeviceHandshake;
import org.iomtpq.gateway.protocol.DeviceIdentity;
import org.iomtpq.gateway.protocol.DeviceSession;
import org.iomtpq.gateway.protocol.EnrolledMessage;
import org.iomtpq.gateway.protocol.ErrorCode;
import org.iomtpq.gateway.protocol.ErrorMessage;
import org.iomtpq.gateway.protocol.Hex0x;
import org.iomtpq.gateway.protocol.MessageCodec;
import org.iomtpq.gateway.protocol.RotationMessage;
import org.iomtpq.gateway.protocol.Step;
import org.iomtpq.gateway.protocol.TelemetryMessage;
import org.iomtpq.gateway.simulator.GatewayAnswer;
import org.iomtpq.gateway.simulator.MqttDeviceTransport;
import org.iomtpq.gateway.simulator.SimulatedDevice;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The device life cycle over MQTT (PROTOCOL.md §3–§7), run against whichever broker a subclass configures:
 * operator approval for enrollment, handshake, telemetry stored with quality flags, QoS 1 repeats, rotation and
 * revocation. Answers are awaited on iomt/v1/{id}/down with a timeout; "no answer" is shown by ordering: a later
 * message on the same topic whose answer arrives first.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractMqttFlow {

    static final Duration WAIT = Duration.ofSeconds(15);
    static final SecureRandom RANDOM = new SecureRandom();

    GatewayFixture gw;
    MqttDeviceTransport mqtt;
    private Path dataDir;

    /** Extra gateway settings (e.g. iomt.mqtt.url of an external broker); called once before the gateway starts. */
    abstract Map<String, String> brokerSettings();

    /** Device ids differ per subclass so a shared broker or log never mixes them up. */
    abstract String prefix();

    @BeforeAll
    void startGateway() throws Exception {
        dataDir = Files.createTempDirectory("iomt-it-mqtt");
        gw = GatewayFixture.start(dataDir, brokerSettings());
        mqtt = new MqttDeviceTransport(gw.mqttUrl());
    }

    @AfterAll
    void stopGateway() throws Exception {
        if (mqtt != null) {
            mqtt.close();
        }
        if (gw != null) {
            gw.close();
        }
        TempDirs.deleteQuietly(dataDir);
        afterGatewayStopped();
    }

    /** For subclasses that started a broker: stop it only after the gateway disconnected from it. */
    void afterGatewayStopped() {
    }

    // ---- helpers ----

    String id(String suffix) {
        return prefix() + "_" + suffix;
    }

    /** Publishes on iomt/v1/{topicDeviceId}/up/{step} and waits for the answer matched by type or inReplyTo. */
    GatewayAnswer ask(String topicDeviceId, Step step, String json) {
        return mqtt.send(topicDeviceId, step, json, WAIT)
                .orElseGet(() -> fail("no answer to " + step.wire() + " on iomt/v1/" + topicDeviceId + "/down within " + WAIT));
    }

    ErrorMessage nextTelemetryError(String deviceId) {
        return mqtt.pendingError(deviceId, WAIT)
                .map(a -> {
                    assertErrorJson(a.json(), MessageCodec.parseError(bytes(a.json())).code(), "telemetry");
                    return MessageCodec.parseError(bytes(a.json()));
                })
                .orElseGet(() -> fail("no telemetry error for " + deviceId + " within " + WAIT));
    }

    void approve(String deviceId, String keyCommitment) {
        String body = keyCommitment == null ? "{\"ttlSeconds\":600}"
                : "{\"ttlSeconds\":600,\"keyCommitment\":\"" + keyCommitment + "\"}";
        Response r = gw.postAsOperator("/devices/" + deviceId + "/approval", body);
        assertEquals(201, r.status(), r.body());
        JsonNode approval = json(r.body());
        assertEquals("approval", approval.get("type").asText());
        assertEquals(deviceId, approval.get("deviceId").asText());
        if (keyCommitment == null) {
            assertTrue(approval.get("keyCommitment").isNull());
        } else {
            assertEquals(keyCommitment, approval.get("keyCommitment").asText());
        }
    }

    DeviceIdentity enrolledOverMqtt(String deviceId, String type) {
        DeviceIdentity identity = DeviceIdentity.generate(deviceId, type, RANDOM);
        approve(deviceId, null);
        GatewayAnswer answer = ask(deviceId, Step.ENROLL, Forge.enroll(identity, Instant.now(), RANDOM));
        assertFalse(answer.isError(), answer.json());
        assertEquals("ACTIVE", MessageCodec.parseEnrolled(bytes(answer.json())).status());
        return identity;
    }

    Document awaitObservation(DeviceSession session, long seq) {
        String sessionId = Base64s.encode(session.sessionId());
        return GatewayFixture.await("observation " + sessionId + "/" + seq, WAIT, () -> gw.observation(sessionId, seq));
    }

    static TelemetryMessage flipped(TelemetryMessage m) {
        byte[] c = m.ciphertext();
        c[c.length / 2] ^= 0x01;
        return new TelemetryMessage(m.deviceId(), m.sessionId(), m.seq(), c);
    }

    static byte[] bytes(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    // ---- the flow ----

    /** Answers must not fail on Paho's "too many publishes in progress" (MqttPublishGate): every producer uses that client. */
    @Test
    void everyPublishingEndpointUsesTheGatedAnswerClient() {
        List<PahoMqtt5Endpoint> endpoints = gw.runtime().camelContext().getEndpoints().stream()
                .filter(PahoMqtt5Endpoint.class::isInstance).map(PahoMqtt5Endpoint.class::cast).toList();
        List<String> producers = endpoints.stream().filter(e -> !(e.getClient() instanceof IngressMqttClient))
                .map(e -> e.getEndpointUri() + " -> " + e.getClient()).toList();
        assertFalse(producers.isEmpty(), "no producer endpoint found among " + endpoints);
        for (PahoMqtt5Endpoint e : endpoints) {
            assertTrue(e.getClient() instanceof GatedMqttClient || e.getClient() instanceof IngressMqttClient,
                    "publishes through its own client: " + producers);
        }
    }

    @Test
    void enrollmentNeedsAnUnexpiredMatchingApprovalWhichIsConsumed() {
        String deviceId = id("PULSE_OX_ENROLL");
        DeviceIdentity identity = DeviceIdentity.generate(deviceId, "pulse-oximeter", RANDOM);
        String enroll = Forge.enroll(identity, Instant.now(), RANDOM);

        assertErrorJson(ask(deviceId, Step.ENROLL, enroll).json(), ErrorCode.FORBIDDEN, "enroll");
        DeviceIdentity other = DeviceIdentity.generate(deviceId, "pulse-oximeter", RANDOM);
        approve(deviceId, Hex0x.encode(other.keyCommitment()));
        assertErrorJson(ask(deviceId, Step.ENROLL, enroll).json(), ErrorCode.FORBIDDEN, "enroll");
        assertTrue(gw.device(deviceId).isEmpty(), "nothing stored without a matching approval");

        approve(deviceId, Hex0x.encode(identity.keyCommitment()));
        GatewayAnswer answer = ask(deviceId, Step.ENROLL, enroll);
        EnrolledMessage enrolled = MessageCodec.parseEnrolled(bytes(answer.json()));
        assertEquals("ACTIVE", enrolled.status());
        assertEquals(Hex0x.encode(identity.keyCommitment()), enrolled.keyCommitment());
        assertEquals(0, gw.count("approvals", Filters.eq("_id", deviceId)), "the approval is consumed");
        assertEquals("mqtt", gw.device(deviceId).orElseThrow().getString("enrolledVia"));

        // QoS 1: a byte-identical repeat is answered again, with no new approval
        GatewayAnswer repeat = ask(deviceId, Step.ENROLL, enroll);
        assertEquals(answer.json(), repeat.json());
        // other keys for an active device: an unapproved publisher learns nothing (§4 order: approval first) ...
        String otherEnroll = Forge.enroll(other, Instant.now(), RANDOM);
        assertErrorJson(ask(deviceId, Step.ENROLL, otherEnroll).json(), ErrorCode.FORBIDDEN, "enroll");
        // ... an approved one learns the id is taken; the approval is not consumed by a refusal
        approve(deviceId, null);
        assertErrorJson(ask(deviceId, Step.ENROLL, otherEnroll).json(), ErrorCode.ALREADY_ENROLLED, "enroll");
        assertEquals(1, gw.count("approvals", Filters.eq("_id", deviceId)));
        assertEquals(Hex0x.encode(identity.keyCommitment()), gw.device(deviceId).orElseThrow().getString("keyCommitment"));
        assertEquals(1, gw.auditCount(deviceId, "DEVICE_ENROLLED", "SUCCESS"));
        GatewayFixture.awaitTrue("rejections audited", WAIT, () -> gw.auditCount(deviceId, "ENROLLMENT_REJECTED", "REJECTED") >= 4);
    }

    @Test
    void handshakeAndTelemetryAreStoredOnceAndRepeatsAreSilent() {
        String deviceId = id("PULSE_OX_FLOW");
        DeviceIdentity identity = enrolledOverMqtt(deviceId, "pulse-oximeter");
        SimulatedDevice device = new SimulatedDevice(identity, mqtt, RANDOM);
        DeviceSession session = device.handshake(GatewayFixture.GATEWAY_ID, gw.gatewayKey());
        String sessionId = Base64s.encode(session.sessionId());
        assertEquals("AUTHENTICATED", gw.db().getCollection("sessions").find(Filters.eq("_id", sessionId)).first().getString("state"));
        assertEquals(1, gw.auditCount(deviceId, "AUTHENTICATED", "SUCCESS"));

        TelemetryMessage first = device.send(Forge.lowSpo2Reading());
        Document observation = awaitObservation(session, 1);
        assertEquals(45.0, ((Number) observation.get("vitals", Document.class).get("spo2")).doubleValue());
        assertEquals(88.0, ((Number) observation.get("vitals", Document.class).get("heartRate")).doubleValue());
        assertEquals("OUT_OF_RANGE", observation.get("quality", Document.class).getString("spo2"));
        assertEquals(deviceId, observation.getString("deviceId"));

        // QoS 1 repeat of stored telemetry: no answer, stored once. Then a tampered seq 2 on the same topic; its
        // DECRYPT_FAILED must be the first telemetry answer, which shows the repeat got none.
        assertTrue(mqtt.send(deviceId, Step.TELEMETRY, MessageCodec.toJson(first), WAIT).isEmpty());
        mqtt.send(deviceId, Step.TELEMETRY, MessageCodec.toJson(flipped(session.seal(2, Forge.normalReading().toJsonBytes()))), WAIT);
        ErrorMessage error = nextTelemetryError(deviceId);
        assertEquals(ErrorCode.DECRYPT_FAILED, error.code(), "the repeat was answered: " + error);
        assertEquals(2L, error.seq());
        assertEquals(1, gw.observationCount(sessionId, 1));
        assertEquals(0, gw.observationCount(sessionId, 2));

        // the same seq with other bytes is a replay, not a repeat
        mqtt.send(deviceId, Step.TELEMETRY, MessageCodec.toJson(flipped(first)), WAIT);
        ErrorMessage replay = nextTelemetryError(deviceId);
        assertEquals(ErrorCode.REPLAY, replay.code());
        assertEquals(1L, replay.seq());

        device.send(Forge.normalReading()); // seq 2: never stored before, so still acceptable
        assertTrue(awaitObservation(session, 2).get("quality", Document.class).isEmpty());
        assertEquals(1, gw.observationCount(sessionId, 1));
        GatewayFixture.awaitTrue("REJECTED audit entries", WAIT,
                () -> gw.auditCount(deviceId, "DECRYPT_FAILED", "REJECTED") == 1
                        && gw.auditCount(deviceId, "REPLAY_REJECTED", "REJECTED") == 1);
    }

    @Test
    void rotationTakesEffectAtOnceAndBurnsTheOldKeys() {
        String deviceId = id("BP_ROTATE");
        DeviceIdentity v1 = enrolledOverMqtt(deviceId, "bp-monitor");
        SimulatedDevice device = new SimulatedDevice(v1, mqtt, RANDOM);
        DeviceSession oldSession = device.handshake(GatewayFixture.GATEWAY_ID, gw.gatewayKey());
        device.send(Forge.normalReading());
        awaitObservation(oldSession, 1);

        DeviceIdentity v2 = DeviceIdentity.generate(deviceId, "bp-monitor", RANDOM);
        String rotate = MessageCodec.toJson(v1.rotateTo(v2, Instant.now(), RANDOM));
        GatewayAnswer answer = ask(deviceId, Step.ROTATE, rotate);
        RotationMessage rotation = MessageCodec.parseRotation(bytes(answer.json()));
        assertEquals("ACTIVE", rotation.status());
        assertEquals(Hex0x.encode(v2.keyCommitment()), rotation.keyCommitment());
        assertEquals(answer.json(), ask(deviceId, Step.ROTATE, rotate).json(), "a byte-identical repeat is answered as the original");
        assertEquals(rotation.keyCommitment(), gw.device(deviceId).orElseThrow().getString("keyCommitment"));

        mqtt.send(deviceId, Step.TELEMETRY, MessageCodec.toJson(oldSession.seal(Forge.normalReading())), WAIT);
        assertEquals(ErrorCode.SESSION_EXPIRED, nextTelemetryError(deviceId).code());

        SimulatedDevice rotated = new SimulatedDevice(v2, mqtt, RANDOM);
        DeviceSession newSession = rotated.handshake(GatewayFixture.GATEWAY_ID, gw.gatewayKey());
        rotated.send(Forge.normalReading());
        awaitObservation(newSession, 1);

        assertErrorJson(ask(deviceId, Step.ROTATE, MessageCodec.toJson(v2.rotateTo(v1, Instant.now(), RANDOM))).json(),
                ErrorCode.INVALID_KEY, "rotate");
        assertEquals(1, gw.auditCount(deviceId, "KEY_ROTATED", "SUCCESS"));
    }

    @Test
    void revocationEndsSessionsBurnsKeysAndNeedsANewApproval() {
        String deviceId = id("THERMO_REVOKE");
        DeviceIdentity v1 = enrolledOverMqtt(deviceId, "thermometer");
        SimulatedDevice device = new SimulatedDevice(v1, mqtt, RANDOM);
        DeviceSession session = device.handshake(GatewayFixture.GATEWAY_ID, gw.gatewayKey());
        device.send(Forge.normalReading());
        awaitObservation(session, 1);

        JsonNode revoked = gw.operator().revoke(deviceId, "stolen");
        assertEquals("REVOKED", revoked.get("status").asText());

        mqtt.send(deviceId, Step.TELEMETRY, MessageCodec.toJson(session.seal(Forge.normalReading())), WAIT);
        assertEquals(ErrorCode.DEVICE_REVOKED, nextTelemetryError(deviceId).code());
        assertEquals(0, gw.observationCount(Base64s.encode(session.sessionId()), 2));
        assertErrorJson(ask(deviceId, Step.HELLO, MessageCodec.toJson(
                DeviceHandshake.start(v1, GatewayFixture.GATEWAY_ID, gw.gatewayKey(), RANDOM).hello())).json(),
                ErrorCode.DEVICE_REVOKED, "hello");

        // coming back needs a fresh approval (the first one was consumed); with it, burnt keys are INVALID_KEY
        DeviceIdentity v2 = DeviceIdentity.generate(deviceId, "thermometer", RANDOM);
        String enroll2 = Forge.enroll(v2, Instant.now(), RANDOM);
        assertErrorJson(ask(deviceId, Step.ENROLL, enroll2).json(), ErrorCode.FORBIDDEN, "enroll");
        assertErrorJson(ask(deviceId, Step.ENROLL, Forge.enroll(v1, Instant.now(), RANDOM)).json(), ErrorCode.FORBIDDEN, "enroll");
        approve(deviceId, null);
        assertErrorJson(ask(deviceId, Step.ENROLL, Forge.enroll(v1, Instant.now(), RANDOM)).json(), ErrorCode.INVALID_KEY, "enroll");
        assertEquals("ACTIVE", MessageCodec.parseEnrolled(bytes(ask(deviceId, Step.ENROLL, enroll2).json())).status());
        SimulatedDevice back = new SimulatedDevice(v2, mqtt, RANDOM);
        DeviceSession fresh = back.handshake(GatewayFixture.GATEWAY_ID, gw.gatewayKey());
        back.send(Forge.normalReading());
        awaitObservation(fresh, 1);
    }
}
