package org.iomtpq.gateway.it;

import static org.iomtpq.gateway.it.Answers.assertError;
import static org.iomtpq.gateway.it.Answers.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.model.Filters;
import org.bson.Document;
import org.iomtpq.gateway.crypto.MlDsaKeyPair;
import org.iomtpq.gateway.crypto.MlKemKeyPair;
import org.iomtpq.gateway.it.GatewayFixture.Response;
import org.iomtpq.gateway.protocol.Base64s;
import org.iomtpq.gateway.protocol.DeviceHandshake;
import org.iomtpq.gateway.protocol.DeviceIdentity;
import org.iomtpq.gateway.protocol.DeviceSession;
import org.iomtpq.gateway.protocol.EnrolledMessage;
import org.iomtpq.gateway.protocol.ErrorCode;
import org.iomtpq.gateway.protocol.Hex0x;
import org.iomtpq.gateway.protocol.MessageCodec;
import org.iomtpq.gateway.protocol.RotationMessage;
import org.iomtpq.gateway.protocol.TelemetryMessage;
import org.iomtpq.gateway.simulator.HttpDeviceTransport;
import org.iomtpq.gateway.simulator.SimulatedDevice;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole device life cycle over HTTP against a real gateway on embedded defaults (PROTOCOL.md §3–§7). */
class HttpFlowIT {

    @TempDir
    static Path dataDir;

    private static GatewayFixture gw;
    private static HttpDeviceTransport http;
    private static final SecureRandom RANDOM = new SecureRandom();

    @BeforeAll
    static void start() {
        gw = GatewayFixture.start(dataDir);
        http = gw.httpTransport();
    }

    @AfterAll
    static void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    @Test
    void enrollHandshakeTelemetryAreStoredAndAudited() {
        DeviceIdentity id = DeviceIdentity.generate("PULSE_OX_HTTP_001", "pulse-oximeter", RANDOM);
        String enroll = Forge.enroll(id, Instant.now(), RANDOM);

        assertError(gw.post("/devices", enroll), ErrorCode.UNAUTHORIZED, "enroll");
        Response created = gw.postAsOperator("/devices", enroll);
        assertEquals(201, created.status(), created.body());
        EnrolledMessage enrolled = MessageCodec.parseEnrolled(created.body().getBytes(StandardCharsets.UTF_8));
        assertEquals("ACTIVE", enrolled.status(), "registry.mode=none: ACTIVE at once");
        assertEquals(Hex0x.encode(id.keyCommitment()), enrolled.keyCommitment());
        assertNull(enrolled.txHash());
        Response repeat = gw.postAsOperator("/devices", enroll);
        assertEquals(200, repeat.status(), "identical re-enrollment is idempotent");
        assertEquals(created.body(), repeat.body());
        assertEquals(1, gw.count("device_keys", Filters.eq("_id", id.deviceId())));

        SimulatedDevice device = new SimulatedDevice(id, http, RANDOM);
        DeviceSession session = device.handshake(GatewayFixture.GATEWAY_ID, gw.gatewayKey());
        String sessionId = Base64s.encode(session.sessionId());
        Document stored = gw.db().getCollection("sessions").find(Filters.eq("_id", sessionId)).first();
        assertEquals("AUTHENTICATED", stored.getString("state"));
        assertEquals(id.deviceId(), stored.getString("deviceId"));
        assertFalse(stored.containsKey("finishedKeyWrapped"), "handshake-only key dropped once authenticated");

        TelemetryMessage reading = session.seal(Forge.lowSpo2Reading());
        Response ack = gw.post("/telemetry", MessageCodec.toJson(reading));
        assertEquals(201, ack.status(), ack.body());
        assertEquals(1, MessageCodec.parseAck(ack.body().getBytes(StandardCharsets.UTF_8)).seq());

        Document observation = gw.observation(sessionId, 1).orElseThrow();
        assertEquals(id.deviceId(), observation.getString("deviceId"));
        assertEquals(GatewayFixture.GATEWAY_ID, observation.getString("gatewayId"));
        Document vitals = observation.get("vitals", Document.class);
        assertEquals(45.0, ((Number) vitals.get("spo2")).doubleValue());
        assertEquals(88.0, ((Number) vitals.get("heartRate")).doubleValue());
        Document quality = observation.get("quality", Document.class);
        assertEquals("OUT_OF_RANGE", quality.getString("spo2"));
        assertFalse(quality.containsKey("heartRate"), "in-range vitals are not flagged");

        // a second, in-range reading in the same session
        Response second = gw.post("/telemetry", MessageCodec.toJson(session.seal(Forge.normalReading())));
        assertEquals(201, second.status(), second.body());
        assertTrue(gw.observation(sessionId, 2).orElseThrow().get("quality", Document.class).isEmpty());

        assertEquals(1, gw.auditCount(id.deviceId(), "DEVICE_ENROLLED", "SUCCESS"));
        assertEquals(1, gw.auditCount(id.deviceId(), "AUTHENTICATED", "SUCCESS"));

        // the operator API shows the PHI to operators only
        Response asOperator = gw.get("/devices/" + id.deviceId() + "/observations", gw.operatorToken());
        assertEquals(200, asOperator.status());
        assertEquals(2, json(asOperator.body()).get("observations").size());
        assertError(gw.get("/devices/" + id.deviceId() + "/observations", gw.auditorToken()), ErrorCode.FORBIDDEN, null,
                gw.auditorToken());
        JsonNode status = json(gw.get("/devices/" + id.deviceId() + "/status", gw.auditorToken()).body());
        assertEquals("ACTIVE", status.get("status").asText());
        assertEquals(1, status.get("successfulAuths").asLong());
    }

    @Test
    void rotationSwitchesKeysEndsSessionsAndBurnsOldKeys() {
        DeviceIdentity v1 = DeviceIdentity.generate("BP_HTTP_ROTATE_01", "bp-monitor", RANDOM);
        assertEquals(201, gw.postAsOperator("/devices", Forge.enroll(v1, Instant.now(), RANDOM)).status());
        DeviceSession oldSession = new SimulatedDevice(v1, http, RANDOM).handshake(GatewayFixture.GATEWAY_ID, gw.gatewayKey());
        assertEquals(201, gw.post("/telemetry", MessageCodec.toJson(oldSession.seal(Forge.normalReading()))).status());

        DeviceIdentity v2 = DeviceIdentity.generate(v1.deviceId(), v1.deviceType(), RANDOM);
        String rotate = MessageCodec.toJson(v1.rotateTo(v2, Instant.now(), RANDOM));
        String path = "/devices/" + v1.deviceId() + "/rotate";
        Response rotated = gw.post(path, rotate);
        assertEquals(200, rotated.status(), rotated.body());
        RotationMessage answer = MessageCodec.parseRotation(rotated.body().getBytes(StandardCharsets.UTF_8));
        assertEquals("ACTIVE", answer.status(), "registry.mode=none: the rotation takes effect at once");
        assertEquals(Hex0x.encode(v2.keyCommitment()), answer.keyCommitment());
        assertNotEquals(Hex0x.encode(v1.keyCommitment()), answer.keyCommitment());
        // the QoS 1 repeat shortcut is MQTT's: over HTTP a resent rotation names keys the device already has
        assertError(gw.post(path, rotate), ErrorCode.INVALID_KEY, "rotate");

        JsonNode registration = json(gw.get("/devices/" + v1.deviceId() + "/registration", null).body());
        assertEquals(answer.keyCommitment(), registration.get("keyCommitment").asText());
        assertTrue(registration.get("pendingKeyCommitment").isNull());
        assertEquals(1, gw.auditCount(v1.deviceId(), "KEY_ROTATED", "SUCCESS"));

        // the old session ended with the rotation
        assertError(gw.post("/telemetry", MessageCodec.toJson(oldSession.seal(Forge.normalReading()))),
                ErrorCode.SESSION_EXPIRED, "telemetry");
        // the old keys cannot handshake any more, the new ones can
        SimulatedDevice withOldKeys = new SimulatedDevice(v1, http, RANDOM);
        Response oldHello = gw.post("/handshake/hello", MessageCodec.toJson(
                DeviceHandshake.start(v1, GatewayFixture.GATEWAY_ID, gw.gatewayKey(), RANDOM).hello()));
        assertEquals(200, oldHello.status(), "hello does not authenticate; the old key fails at finished");
        org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                () -> withOldKeys.handshake(GatewayFixture.GATEWAY_ID, gw.gatewayKey()));
        DeviceSession newSession = new SimulatedDevice(v2, http, RANDOM).handshake(GatewayFixture.GATEWAY_ID, gw.gatewayKey());
        assertEquals(201, gw.post("/telemetry", MessageCodec.toJson(newSession.seal(Forge.normalReading()))).status());

        // old keys are burnt: rotating back, or to one old key, is INVALID_KEY
        assertError(gw.post(path, MessageCodec.toJson(v2.rotateTo(v1, Instant.now(), RANDOM))), ErrorCode.INVALID_KEY, "rotate");
        DeviceIdentity halfOld = new DeviceIdentity(v1.deviceId(), v1.deviceType(), v1.kemKeyPair(), MlDsaKeyPair.generate(RANDOM));
        assertError(gw.post(path, MessageCodec.toJson(v2.rotateTo(halfOld, Instant.now(), RANDOM))), ErrorCode.INVALID_KEY, "rotate");
        assertEquals(answer.keyCommitment(), gw.device(v1.deviceId()).orElseThrow().getString("keyCommitment"));
    }

    @Test
    void revocationEndsSessionsAndBurnsEveryKey() {
        DeviceIdentity v1 = DeviceIdentity.generate("THERMO_HTTP_REVOKE", "thermometer", RANDOM);
        assertEquals(201, gw.postAsOperator("/devices", Forge.enroll(v1, Instant.now(), RANDOM)).status());
        DeviceSession session = new SimulatedDevice(v1, http, RANDOM).handshake(GatewayFixture.GATEWAY_ID, gw.gatewayKey());
        assertEquals(201, gw.post("/telemetry", MessageCodec.toJson(session.seal(Forge.normalReading()))).status());

        Response revoked = gw.request("DELETE", "/devices/" + v1.deviceId(), gw.operatorToken(), "{\"reason\":\"lost on ward 4B\"}");
        assertEquals(200, revoked.status(), revoked.body());
        assertEquals("REVOKED", json(revoked.body()).get("status").asText());
        assertEquals("registration", json(revoked.body()).get("type").asText());
        assertEquals(1, gw.auditCount(v1.deviceId(), "KEY_REVOKED", "SUCCESS"));
        assertEquals("REVOKED", gw.device(v1.deviceId()).orElseThrow().getString("status"));

        long observations = gw.count("observations", Filters.eq("deviceId", v1.deviceId()));
        assertError(gw.post("/telemetry", MessageCodec.toJson(session.seal(Forge.normalReading()))),
                ErrorCode.DEVICE_REVOKED, "telemetry");
        assertEquals(observations, gw.count("observations", Filters.eq("deviceId", v1.deviceId())));
        assertError(gw.post("/handshake/hello", MessageCodec.toJson(
                DeviceHandshake.start(v1, GatewayFixture.GATEWAY_ID, gw.gatewayKey(), RANDOM).hello())),
                ErrorCode.DEVICE_REVOKED, "hello");

        // every key the device ever had is burnt
        assertError(gw.postAsOperator("/devices", Forge.enroll(v1, Instant.now(), RANDOM)), ErrorCode.INVALID_KEY, "enroll");
        DeviceIdentity oldKem = new DeviceIdentity(v1.deviceId(), v1.deviceType(), v1.kemKeyPair(), MlDsaKeyPair.generate(RANDOM));
        assertError(gw.postAsOperator("/devices", Forge.enroll(oldKem, Instant.now(), RANDOM)), ErrorCode.INVALID_KEY, "enroll");
        DeviceIdentity oldSig = new DeviceIdentity(v1.deviceId(), v1.deviceType(), MlKemKeyPair.generate(RANDOM), v1.sigKeyPair());
        assertError(gw.postAsOperator("/devices", Forge.enroll(oldSig, Instant.now(), RANDOM)), ErrorCode.INVALID_KEY, "enroll");
        assertEquals("REVOKED", gw.device(v1.deviceId()).orElseThrow().getString("status"));

        // with fresh keys the device may come back
        DeviceIdentity v2 = DeviceIdentity.generate(v1.deviceId(), v1.deviceType(), RANDOM);
        Response again = gw.postAsOperator("/devices", Forge.enroll(v2, Instant.now(), RANDOM));
        assertEquals(201, again.status(), again.body());
        assertEquals("ACTIVE", json(again.body()).get("status").asText());
        DeviceSession fresh = new SimulatedDevice(v2, http, RANDOM).handshake(GatewayFixture.GATEWAY_ID, gw.gatewayKey());
        assertEquals(201, gw.post("/telemetry", MessageCodec.toJson(fresh.seal(Forge.normalReading()))).status());
        // the session ended by the revocation stays ended
        assertError(gw.post("/telemetry", MessageCodec.toJson(session.seal(Forge.normalReading()))),
                ErrorCode.DEVICE_REVOKED, "telemetry");
    }
}
