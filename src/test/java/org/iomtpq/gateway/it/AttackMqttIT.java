package org.iomtpq.gateway.it;

import static org.iomtpq.gateway.it.Answers.assertErrorJson;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;
import org.iomtpq.gateway.it.GatewayFixture.Counts;
import org.iomtpq.gateway.protocol.DeviceHandshake;
import org.iomtpq.gateway.protocol.DeviceIdentity;
import org.iomtpq.gateway.protocol.DeviceSession;
import org.iomtpq.gateway.protocol.ErrorCode;
import org.iomtpq.gateway.protocol.FinishedMessage;
import org.iomtpq.gateway.protocol.MessageCodec;
import org.iomtpq.gateway.protocol.Step;
import org.iomtpq.gateway.protocol.TelemetryMessage;
import org.iomtpq.gateway.simulator.MqttDeviceTransport;
import org.iomtpq.gateway.simulator.SimulatedDevice;
import org.iomtpq.gateway.testsupport.PahoV5Client;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The MQTT-relevant codes of PROTOCOL.md §8 on the embedded broker: answers on the down topic of the topic's
 * device (never of the device a body names), nothing stored, a REJECTED audit entry, the gateway still serving.
 */
class AttackMqttIT extends AttackSupport {

    private MqttDeviceTransport mqtt;

    @BeforeAll
    void connectDevices() {
        mqtt = new MqttDeviceTransport(gw.mqttUrl());
    }

    @AfterAll
    void disconnectDevices() {
        if (mqtt != null) {
            mqtt.close();
        }
    }

    /** Publishes {@code json} on iomt/v1/{topicDeviceId}/up/{step} and checks the error on that device's down topic. */
    private JsonNode refusedOverMqtt(String what, ErrorCode code, String topicDeviceId, Step step, String json) {
        Counts before = gw.counts();
        long audited = gw.rejectedAudits(code);
        String answer;
        if (step == Step.TELEMETRY) {
            mqtt.send(topicDeviceId, step, json, WAIT);
            answer = mqtt.pendingError(topicDeviceId, WAIT).orElseGet(() -> fail(what + ": no error within " + WAIT)).json();
        } else {
            answer = mqtt.send(topicDeviceId, step, json, WAIT).orElseGet(() -> fail(what + ": no answer within " + WAIT)).json();
        }
        JsonNode error = assertErrorJson(answer, code, step.wire());
        GatewayFixture.awaitTrue(what + ": REJECTED audit entry", WAIT, () -> gw.rejectedAudits(code) > audited);
        assertEquals(before, gw.counts(), what + ": nothing may be stored");
        stillServes(what);
        return error;
    }

    @Test
    void aBodyNamingAnotherDeviceIsAnsweredOnTheTopicsDownChannelOnly() throws Exception {
        DeviceIdentity victim = enrolledOverHttp("MQTT_VICTIM", "bp-monitor");
        DeviceSession victimSession = handshake(victim);
        String mallory = "MQTT_MALLORY";
        byte[] sixteen = new byte[16];
        try (PahoV5Client victimDown = PahoV5Client.connect(gw.mqttUrl(), "probe-" + victim.deviceId())) {
            assertEquals(1, victimDown.subscribe("iomt/v1/" + victim.deviceId() + "/down", 1));
            refusedOverMqtt("enroll of the victim on mallory's topic", ErrorCode.MALFORMED_REQUEST, mallory, Step.ENROLL,
                    Forge.enroll(DeviceIdentity.generate(victim.deviceId(), "bp-monitor", RANDOM), Instant.now(), RANDOM));
            refusedOverMqtt("hello of the victim on mallory's topic", ErrorCode.MALFORMED_REQUEST, mallory, Step.HELLO,
                    MessageCodec.toJson(DeviceHandshake.start(victim, GatewayFixture.GATEWAY_ID, gw.gatewayKey(), RANDOM).hello()));
            refusedOverMqtt("finished of the victim on mallory's topic", ErrorCode.MALFORMED_REQUEST, mallory, Step.FINISHED,
                    MessageCodec.toJson(new FinishedMessage(victim.deviceId(), victimSession.sessionId(), new byte[32])));
            refusedOverMqtt("telemetry of the victim on mallory's topic", ErrorCode.MALFORMED_REQUEST, mallory, Step.TELEMETRY,
                    MessageCodec.toJson(victimSession.seal(Forge.normalReading())));
            refusedOverMqtt("rotation of the victim on mallory's topic", ErrorCode.MALFORMED_REQUEST, mallory, Step.ROTATE,
                    MessageCodec.toJson(victim.rotateTo(DeviceIdentity.generate(victim.deviceId(), "bp-monitor", RANDOM), Instant.now(), RANDOM)));
            // the victim's own channel heard nothing of it: the first thing on it is the answer to this marker
            mqtt.send(victim.deviceId(), Step.TELEMETRY,
                    MessageCodec.toJson(new TelemetryMessage(victim.deviceId(), sixteen, 1, new byte[32])), WAIT);
            PahoV5Client.Message first = victimDown.receive(WAIT).orElseGet(() -> fail("no marker answer"));
            assertEquals(ErrorCode.UNKNOWN_SESSION.name(), Answers.json(first.text()).get("code").asText(), first.text());
        }
        assertEquals("ACTIVE", gw.device(victim.deviceId()).orElseThrow().getString("status"));
    }

    @Test
    void telemetryAndHandshakeAttacks() {
        DeviceIdentity device = enrolledOverHttp("MQTT_TARGET", "pulse-oximeter");
        String id = device.deviceId();
        SimulatedDevice simulated = new SimulatedDevice(device, mqtt, RANDOM);
        DeviceSession session = simulated.handshake(GatewayFixture.GATEWAY_ID, gw.gatewayKey());
        TelemetryMessage stored = simulated.send(Forge.normalReading());
        GatewayFixture.await("first reading", WAIT, () -> gw.observation(org.iomtpq.gateway.protocol.Base64s.encode(session.sessionId()), 1));

        String next = MessageCodec.toJson(session.seal(2, Forge.normalReading().toJsonBytes()));
        refusedOverMqtt("unknown field", ErrorCode.MALFORMED_REQUEST, id, Step.TELEMETRY, Forge.withFirstMember(next, "extra", "1"));
        refusedOverMqtt("duplicate field", ErrorCode.MALFORMED_REQUEST, id, Step.TELEMETRY, Forge.withDuplicate(next, "deviceId", id));
        refusedOverMqtt("deviceId {$ne:null}", ErrorCode.MALFORMED_REQUEST, id, Step.TELEMETRY, Forge.replaceMember(next, "deviceId", "{\"$ne\":null}"));
        refusedOverMqtt("70 KiB payload", ErrorCode.PAYLOAD_TOO_LARGE, id, Step.TELEMETRY,
                Forge.withFirstMember(next, "pad", "\"" + "A".repeat(70 * 1024) + "\""));
        refusedOverMqtt("flipped ciphertext bit", ErrorCode.DECRYPT_FAILED, id, Step.TELEMETRY, Forge.flipBase64Member(next, "ciphertext", 3));
        JsonNode replay = refusedOverMqtt("stored seq, other bytes", ErrorCode.REPLAY, id, Step.TELEMETRY,
                Forge.flipBase64Member(MessageCodec.toJson(stored), "ciphertext", 3));
        assertEquals(1, replay.get("seq").asLong());
        refusedOverMqtt("unknown session", ErrorCode.UNKNOWN_SESSION, id, Step.TELEMETRY,
                MessageCodec.toJson(new TelemetryMessage(id, new byte[16], 2, new byte[32])));
        refusedOverMqtt("seq above maxMessages", ErrorCode.SESSION_EXPIRED, id, Step.TELEMETRY,
                MessageCodec.toJson(session.seal(MAX_MESSAGES + 1, Forge.normalReading().toJsonBytes())));
        refusedOverMqtt("plaintext not JSON", ErrorCode.VALIDATION_FAILED, id, Step.TELEMETRY,
                MessageCodec.toJson(session.seal(2, "96%".getBytes(StandardCharsets.UTF_8))));

        refusedOverMqtt("wrong gatewayId", ErrorCode.MALFORMED_REQUEST, id, Step.HELLO,
                MessageCodec.toJson(DeviceHandshake.start(device, "gateway-99", gw.gatewayKey(), RANDOM).hello()));
        DeviceIdentity stranger = DeviceIdentity.generate("MQTT_STRANGER", "thermometer", RANDOM);
        refusedOverMqtt("hello of a device never enrolled", ErrorCode.UNKNOWN_DEVICE, stranger.deviceId(), Step.HELLO,
                MessageCodec.toJson(DeviceHandshake.start(stranger, GatewayFixture.GATEWAY_ID, gw.gatewayKey(), RANDOM).hello()));
        DeviceHandshake attempt = DeviceHandshake.start(device, GatewayFixture.GATEWAY_ID, gw.gatewayKey(), RANDOM);
        String serverHello = mqtt.send(id, Step.HELLO, MessageCodec.toJson(attempt.hello()), WAIT).orElseThrow().json();
        attempt.complete(MessageCodec.parseServerHello(serverHello.getBytes(StandardCharsets.UTF_8)));
        byte[] badMac = attempt.finished().mac();
        badMac[31] ^= 0x01;
        refusedOverMqtt("wrong finished MAC", ErrorCode.HANDSHAKE_FAILED, id, Step.FINISHED,
                MessageCodec.toJson(new FinishedMessage(id, attempt.finished().sessionId(), badMac)));
        refusedOverMqtt("right MAC after a wrong one", ErrorCode.HANDSHAKE_FAILED, id, Step.FINISHED, MessageCodec.toJson(attempt.finished()));

        simulated.send(Forge.normalReading()); // seq 2 was never stored: still usable
        GatewayFixture.await("second reading", WAIT, () -> gw.observation(org.iomtpq.gateway.protocol.Base64s.encode(session.sessionId()), 2));
    }

    @Test
    void enrollmentAttacks() throws Exception {
        DeviceIdentity fresh = DeviceIdentity.generate("MQTT_NEWCOMER", "thermometer", RANDOM);
        String id = fresh.deviceId();
        byte[] kem = fresh.kemKeyPair().publicKey().toBytes();
        String valid = Forge.enroll(fresh, Instant.now(), RANDOM);
        refusedOverMqtt("enroll without approval", ErrorCode.FORBIDDEN, id, Step.ENROLL, valid);
        refusedOverMqtt("stale enroll", ErrorCode.STALE_REQUEST, id, Step.ENROLL,
                Forge.enroll(fresh, Instant.now().minus(Duration.ofMinutes(6)), RANDOM));
        refusedOverMqtt("bad signature", ErrorCode.INVALID_SIGNATURE, id, Step.ENROLL, Forge.flipBase64Member(valid, "signature", 9));
        refusedOverMqtt("modulus-failing key", ErrorCode.INVALID_KEY, id, Step.ENROLL,
                Forge.enrollWithKeys(fresh, Forge.modulusFailing(kem), fresh.sigKeyPair().publicKey().toBytes(), Instant.now(), RANDOM));
        DeviceIdentity enrolled = enrolledOverHttp("MQTT_ENROLLED", "thermometer");
        refusedOverMqtt("same id, other keys, no approval", ErrorCode.FORBIDDEN, enrolled.deviceId(), Step.ENROLL,
                Forge.enroll(DeviceIdentity.generate(enrolled.deviceId(), "thermometer", RANDOM), Instant.now(), RANDOM));
        assertEquals(201, gw.postAsOperator("/devices/" + enrolled.deviceId() + "/approval", "{}").status());
        refusedOverMqtt("same id, other keys", ErrorCode.ALREADY_ENROLLED, enrolled.deviceId(), Step.ENROLL,
                Forge.enroll(DeviceIdentity.generate(enrolled.deviceId(), "thermometer", RANDOM), Instant.now(), RANDOM));

        // a topic with no protocol step: answered on the device's down topic, without inReplyTo
        try (PahoV5Client probe = PahoV5Client.connect(gw.mqttUrl(), "probe-" + id)) {
            probe.subscribe("iomt/v1/" + id + "/down", 1);
            Counts before = gw.counts();
            probe.publishQos1("iomt/v1/" + id + "/up/bogus", valid.getBytes(StandardCharsets.UTF_8), false);
            PahoV5Client.Message answer = probe.receive(WAIT).orElseGet(() -> fail("no answer to an unknown step"));
            assertErrorJson(answer.text(), ErrorCode.MALFORMED_REQUEST, null);
            assertEquals(before, gw.counts());
        }
        assertTrue(gw.device(id).isEmpty(), "nothing enrolled");
        stillServes("unknown step");
    }
}
