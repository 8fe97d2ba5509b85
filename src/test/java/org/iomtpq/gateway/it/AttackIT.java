package org.iomtpq.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import org.iomtpq.gateway.crypto.MlDsaKeyPair;
import org.iomtpq.gateway.crypto.MlKemKeyPair;
import org.iomtpq.gateway.it.GatewayFixture.Response;
import org.iomtpq.gateway.protocol.Base64s;
import org.iomtpq.gateway.protocol.DeviceHandshake;
import org.iomtpq.gateway.protocol.DeviceIdentity;
import org.iomtpq.gateway.protocol.DeviceSession;
import org.iomtpq.gateway.protocol.ErrorCode;
import org.iomtpq.gateway.protocol.FinishedMessage;
import org.iomtpq.gateway.protocol.MessageCodec;
import org.iomtpq.gateway.protocol.ProtocolException;
import org.iomtpq.gateway.protocol.ServerHelloMessage;
import org.iomtpq.gateway.protocol.TelemetryMessage;
import org.junit.jupiter.api.Test;

/**
 * PROTOCOL.md §8 over HTTP, device steps: each attack gets its exact code and status and changes nothing
 * (see {@link AttackSupport#refused}). Operator-API attacks: {@link AttackOperatorApiIT}; MQTT: {@link AttackMqttIT}.
 */
class AttackIT extends AttackSupport {

    private static final String HELLO = "/handshake/hello";
    private static final String FINISHED = "/handshake/finished";
    private static final String TELEMETRY = "/telemetry";

    private static TelemetryMessage flipped(TelemetryMessage m) {
        byte[] c = m.ciphertext();
        c[0] ^= 0x01;
        return new TelemetryMessage(m.deviceId(), m.sessionId(), m.seq(), c);
    }

    private String hello(DeviceIdentity identity) {
        return MessageCodec.toJson(DeviceHandshake.start(identity, GatewayFixture.GATEWAY_ID, gw.gatewayKey(), RANDOM).hello());
    }

    @Test
    void telemetryReplayTamperingAndForeignSessions() {
        DeviceIdentity alice = enrolledOverHttp("ATTACK_ALICE", "bp-monitor");
        DeviceIdentity bob = enrolledOverHttp("ATTACK_BOB", "bp-monitor");
        DeviceSession session = handshake(alice);
        DeviceSession bobSession = handshake(bob);
        TelemetryMessage stored = session.seal(Forge.normalReading());
        assertEquals(201, gw.post(TELEMETRY, MessageCodec.toJson(stored)).status());

        JsonNode replay = refused("replay", ErrorCode.REPLAY, "telemetry", () -> gw.post(TELEMETRY, MessageCodec.toJson(stored)));
        assertEquals(stored.seq(), replay.get("seq").asLong());
        TelemetryMessage next = session.seal(Forge.normalReading());
        JsonNode tampered = refused("flipped ciphertext bit", ErrorCode.DECRYPT_FAILED, "telemetry",
                () -> gw.post(TELEMETRY, MessageCodec.toJson(flipped(next))));
        assertEquals(next.seq(), tampered.get("seq").asLong());
        assertEquals(201, gw.post(TELEMETRY, MessageCodec.toJson(next)).status(), "a failed seq is not burnt");

        TelemetryMessage bobsReading = bobSession.seal(Forge.normalReading());
        refused("alice's message on bob's session", ErrorCode.UNKNOWN_SESSION, "telemetry", () -> gw.post(TELEMETRY,
                MessageCodec.toJson(new TelemetryMessage(alice.deviceId(), bobsReading.sessionId(), bobsReading.seq(), bobsReading.ciphertext()))));
        byte[] unknown = new byte[16];
        RANDOM.nextBytes(unknown);
        refused("made-up session", ErrorCode.UNKNOWN_SESSION, "telemetry", () -> gw.post(TELEMETRY,
                MessageCodec.toJson(new TelemetryMessage(alice.deviceId(), unknown, 1, new byte[32]))));
        assertEquals(201, gw.post(TELEMETRY, MessageCodec.toJson(bobsReading)).status());

        // plaintexts that decrypt but are not a §6 reading
        refused("plaintext not JSON", ErrorCode.VALIDATION_FAILED, "telemetry", () -> gw.post(TELEMETRY,
                MessageCodec.toJson(session.seal(session.lastSeq() + 1, "BP=145/92".getBytes(StandardCharsets.UTF_8)))));
        String unknownVital = "{\"observedAt\":\"2026-01-01T00:00:00Z\",\"vitals\":{\"bloodAlcohol\":0.1}}";
        refused("unknown vital", ErrorCode.VALIDATION_FAILED, "telemetry", () -> gw.post(TELEMETRY,
                MessageCodec.toJson(session.seal(session.lastSeq() + 1, unknownVital.getBytes(StandardCharsets.UTF_8)))));
        String stringVital = "{\"observedAt\":\"2026-01-01T00:00:00Z\",\"vitals\":{\"spo2\":\"96\"}}";
        refused("vital as a string", ErrorCode.VALIDATION_FAILED, "telemetry", () -> gw.post(TELEMETRY,
                MessageCodec.toJson(session.seal(session.lastSeq() + 1, stringVital.getBytes(StandardCharsets.UTF_8)))));
        assertEquals(201, sendTelemetry(session).status(), "the seq of an invalid plaintext stays usable");
    }

    @Test
    void replayWindowAndMessageBudget() {
        DeviceIdentity device = enrolledOverHttp("ATTACK_WINDOW", "pulse-oximeter");
        DeviceSession session = handshake(device);
        byte[] reading = Forge.normalReading().toJsonBytes();
        assertEquals(201, gw.post(TELEMETRY, MessageCodec.toJson(session.seal(100, reading))).status());
        refused("seq 30 after seq 100", ErrorCode.REPLAY, "telemetry",
                () -> gw.post(TELEMETRY, MessageCodec.toJson(session.seal(30, reading))));
        refused("seq 36 = 100 - 64", ErrorCode.REPLAY, "telemetry",
                () -> gw.post(TELEMETRY, MessageCodec.toJson(session.seal(36, reading))));
        assertEquals(201, gw.post(TELEMETRY, MessageCodec.toJson(session.seal(37, reading))).status(), "inside the window");
        refused("seq above maxMessages", ErrorCode.SESSION_EXPIRED, "telemetry",
                () -> gw.post(TELEMETRY, MessageCodec.toJson(session.seal(MAX_MESSAGES + 1, reading))));
        assertEquals(201, gw.post(TELEMETRY, MessageCodec.toJson(session.seal(MAX_MESSAGES, reading))).status());
        String seqZero = Forge.replaceMember(MessageCodec.toJson(session.seal(1, reading)), "seq", "0");
        refused("seq 0", ErrorCode.MALFORMED_REQUEST, "telemetry", () -> gw.post(TELEMETRY, seqZero));
    }

    @Test
    void handshakeAttacks() {
        DeviceIdentity device = enrolledOverHttp("ATTACK_HANDSHAKE", "thermometer");

        // wrong finished MAC: refused, and the pending handshake is gone (the right MAC fails afterwards)
        DeviceHandshake attempt = DeviceHandshake.start(device, GatewayFixture.GATEWAY_ID, gw.gatewayKey(), RANDOM);
        Response serverHello = gw.post(HELLO, MessageCodec.toJson(attempt.hello()));
        assertEquals(200, serverHello.status(), serverHello.body());
        attempt.complete(MessageCodec.parseServerHello(serverHello.body().getBytes(StandardCharsets.UTF_8)));
        FinishedMessage right = attempt.finished();
        byte[] badMac = right.mac();
        badMac[0] ^= 0x01;
        refused("wrong finished MAC", ErrorCode.HANDSHAKE_FAILED, "finished",
                () -> gw.post(FINISHED, MessageCodec.toJson(new FinishedMessage(device.deviceId(), right.sessionId(), badMac))));
        refused("right MAC after a wrong one", ErrorCode.HANDSHAKE_FAILED, "finished",
                () -> gw.post(FINISHED, MessageCodec.toJson(right)));
        assertEquals("FAILED", gw.db().getCollection("sessions")
                .find(Filters.eq("_id", Base64s.encode(right.sessionId()))).first().getString("state"));
        GatewayFixture.awaitTrue("AUTH_FAILED audited", Duration.ofSeconds(10),
                () -> gw.auditCount(device.deviceId(), "AUTH_FAILED", "REJECTED") >= 2);

        // a wrong gateway ciphertext cannot be seen at hello: the device sees a server-hello MAC that fails
        DeviceHandshake forged = DeviceHandshake.start(device, GatewayFixture.GATEWAY_ID, gw.gatewayKey(), RANDOM);
        String badCiphertext = Forge.flipBase64Member(MessageCodec.toJson(forged.hello()), "gatewayCiphertext", 5);
        Response answered = gw.post(HELLO, badCiphertext);
        assertEquals(200, answered.status(), "hello cannot detect it: " + answered.body());
        ServerHelloMessage sh = MessageCodec.parseServerHello(answered.body().getBytes(StandardCharsets.UTF_8));
        ProtocolException deviceSide = assertThrows(ProtocolException.class, () -> forged.complete(sh));
        assertEquals(ErrorCode.HANDSHAKE_FAILED, deviceSide.code());
        byte[] guessedMac = new byte[32];
        RANDOM.nextBytes(guessedMac);
        refused("finished after a wrong gateway ciphertext", ErrorCode.HANDSHAKE_FAILED, "finished",
                () -> gw.post(FINISHED, MessageCodec.toJson(new FinishedMessage(device.deviceId(), sh.sessionId(), guessedMac))));

        refused("finished for an unknown session", ErrorCode.HANDSHAKE_FAILED, "finished",
                () -> gw.post(FINISHED, MessageCodec.toJson(new FinishedMessage(device.deviceId(), new byte[16], guessedMac))));
        refused("wrong gatewayId", ErrorCode.MALFORMED_REQUEST, "hello", () -> gw.post(HELLO, MessageCodec.toJson(
                DeviceHandshake.start(device, "gateway-99", gw.gatewayKey(), RANDOM).hello())));
        refused("hello of a device never enrolled", ErrorCode.UNKNOWN_DEVICE, "hello",
                () -> gw.post(HELLO, hello(DeviceIdentity.generate("ATTACK_NOBODY", "thermometer", RANDOM))));
        String goodHello = hello(device);
        byte[] ephemeral = Base64s.decode(Answers.json(goodHello).get("ephemeralKemPublicKey").asText());
        refused("ephemeral key failing the modulus check", ErrorCode.INVALID_KEY, "hello", () -> gw.post(HELLO,
                Forge.replaceMember(goodHello, "ephemeralKemPublicKey", "\"" + Base64s.encode(Forge.modulusFailing(ephemeral)) + "\"")));
        refused("ephemeral key one byte short", ErrorCode.INVALID_KEY, "hello", () -> gw.post(HELLO,
                Forge.replaceMember(goodHello, "ephemeralKemPublicKey", "\"" + Base64s.encode(Forge.truncated(ephemeral)) + "\"")));
        handshake(device); // and the legitimate device still gets through
    }

    @Test
    void enrollmentAttacks() {
        DeviceIdentity fresh = DeviceIdentity.generate("ATTACK_ENROLL", "pulse-oximeter", RANDOM);
        byte[] kem = fresh.kemKeyPair().publicKey().toBytes();
        byte[] sig = fresh.sigKeyPair().publicKey().toBytes();
        String valid = Forge.enroll(fresh, Instant.now(), RANDOM);

        refused("bad enrollment signature", ErrorCode.INVALID_SIGNATURE, "enroll",
                () -> gw.postAsOperator("/devices", Forge.flipBase64Member(valid, "signature", 100)));
        refused("stale timestamp", ErrorCode.STALE_REQUEST, "enroll",
                () -> gw.postAsOperator("/devices", Forge.enroll(fresh, Instant.now().minus(Duration.ofMinutes(10)), RANDOM)));
        refused("future timestamp", ErrorCode.STALE_REQUEST, "enroll",
                () -> gw.postAsOperator("/devices", Forge.enroll(fresh, Instant.now().plus(Duration.ofMinutes(10)), RANDOM)));
        refused("ML-KEM key failing the modulus check", ErrorCode.INVALID_KEY, "enroll", () -> gw.postAsOperator("/devices",
                Forge.enrollWithKeys(fresh, Forge.modulusFailing(kem), sig, Instant.now(), RANDOM)));
        refused("ML-KEM key one byte short", ErrorCode.INVALID_KEY, "enroll", () -> gw.postAsOperator("/devices",
                Forge.enrollWithKeys(fresh, Forge.truncated(kem), sig, Instant.now(), RANDOM)));
        refused("ML-DSA key one byte short", ErrorCode.INVALID_KEY, "enroll", () -> gw.postAsOperator("/devices",
                Forge.enrollWithKeys(fresh, kem, Forge.truncated(sig), Instant.now(), RANDOM)));
        refused("signature one byte short", ErrorCode.MALFORMED_REQUEST, "enroll", () -> gw.postAsOperator("/devices",
                Forge.replaceMember(valid, "signature", "\"" + Base64s.encode(new byte[3308]) + "\"")));
        refused("non-canonical base64 key", ErrorCode.MALFORMED_REQUEST, "enroll", () -> gw.postAsOperator("/devices",
                Forge.replaceMember(valid, "sigPublicKey", "\"" + Forge.nonCanonicalBase64(sig) + "\"")));

        assertEquals(201, gw.postAsOperator("/devices", valid).status());
        DeviceIdentity impostor = DeviceIdentity.generate(fresh.deviceId(), fresh.deviceType(), RANDOM);
        refused("same id, other keys", ErrorCode.ALREADY_ENROLLED, "enroll",
                () -> gw.postAsOperator("/devices", Forge.enroll(impostor, Instant.now(), RANDOM)));
        assertEquals(fresh.deviceId(), gw.device(fresh.deviceId()).orElseThrow().getString("_id"));
    }

    @Test
    void rotationAttacks() {
        DeviceIdentity device = enrolledOverHttp("ATTACK_ROTATE", "bp-monitor");
        String path = "/devices/" + device.deviceId() + "/rotate";
        MlDsaKeyPair newSig = MlDsaKeyPair.generate(RANDOM);
        byte[] newKem = MlKemKeyPair.generate(RANDOM).publicKey().toBytes();
        byte[] newSigPk = newSig.publicKey().toBytes();
        refused("rotation to a modulus-failing key", ErrorCode.INVALID_KEY, "rotate", () -> gw.post(path,
                Forge.rotateWithKeys(device, Forge.modulusFailing(newKem), newSigPk, newSig, Instant.now(), RANDOM)));
        refused("rotation to the current keys", ErrorCode.INVALID_KEY, "rotate", () -> gw.post(path, Forge.rotateWithKeys(device,
                device.kemKeyPair().publicKey().toBytes(), device.sigKeyPair().publicKey().toBytes(), device.sigKeyPair(), Instant.now(), RANDOM)));
        refused("stale rotation", ErrorCode.STALE_REQUEST, "rotate", () -> gw.post(path,
                Forge.rotateWithKeys(device, newKem, newSigPk, newSig, Instant.now().minus(Duration.ofHours(1)), RANDOM)));
        String valid = Forge.rotateWithKeys(device, newKem, newSigPk, newSig, Instant.now(), RANDOM);
        refused("rotation signed by a stranger", ErrorCode.INVALID_SIGNATURE, "rotate",
                () -> gw.post(path, Forge.flipBase64Member(valid, "signature", 7)));
        refused("rotation without proof of the new key", ErrorCode.INVALID_SIGNATURE, "rotate",
                () -> gw.post(path, Forge.flipBase64Member(valid, "newSignature", 7)));
        refused("path deviceId differs from the body", ErrorCode.MALFORMED_REQUEST, "rotate",
                () -> gw.post("/devices/ATTACK_ALICE/rotate", valid));
        refused("rotation of a device never enrolled", ErrorCode.UNKNOWN_DEVICE, "rotate", () -> {
            DeviceIdentity ghost = DeviceIdentity.generate("ATTACK_GHOST", "bp-monitor", RANDOM);
            return gw.post("/devices/ATTACK_GHOST/rotate",
                    Forge.rotateWithKeys(ghost, newKem, newSigPk, newSig, Instant.now(), RANDOM));
        });

        // DEVICE_NOT_ACTIVE: registry.mode=none never leaves a device PENDING_CHAIN, so the test puts the record in
        // that state itself, as an unmined registration on a chain-backed gateway would.
        gw.db().getCollection("device_keys").updateOne(Filters.eq("_id", device.deviceId()), Updates.set("status", "PENDING_CHAIN"));
        refused("hello while the registration is pending", ErrorCode.DEVICE_NOT_ACTIVE, "hello", () -> gw.post(HELLO, hello(device)));
        refused("rotation while the registration is pending", ErrorCode.DEVICE_NOT_ACTIVE, "rotate", () -> gw.post(path, valid));
        gw.db().getCollection("device_keys").updateOne(Filters.eq("_id", device.deviceId()), Updates.set("status", "ACTIVE"));
        assertEquals(200, gw.post(path, valid).status(), "the untouched rotation is still acceptable");
    }
}
