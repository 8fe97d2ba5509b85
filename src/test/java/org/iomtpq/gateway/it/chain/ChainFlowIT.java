package org.iomtpq.gateway.it.chain;

import static org.iomtpq.gateway.it.Answers.assertError;
import static org.iomtpq.gateway.it.Answers.assertErrorJson;
import static org.iomtpq.gateway.it.chain.ChainRig.CHAIN_WAIT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import org.iomtpq.gateway.chain.DeviceKey;
import org.iomtpq.gateway.chain.RegistryClient;
import org.iomtpq.gateway.it.GatewayFixture;
import org.iomtpq.gateway.protocol.Base64s;
import org.iomtpq.gateway.protocol.DeviceSession;
import org.iomtpq.gateway.protocol.EnrolledMessage;
import org.iomtpq.gateway.protocol.ErrorCode;
import org.iomtpq.gateway.protocol.Hex0x;
import org.iomtpq.gateway.protocol.MessageCodec;
import org.iomtpq.gateway.protocol.RotationMessage;
import org.iomtpq.gateway.protocol.Step;
import org.iomtpq.gateway.protocol.TelemetryMessage;
import org.iomtpq.gateway.simulator.GatewayAnswer;
import org.iomtpq.gateway.simulator.GatewayRejection;
import org.iomtpq.gateway.simulator.MqttDeviceTransport;
import org.iomtpq.gateway.simulator.SimulatedDevice;
import org.iomtpq.gateway.simulator.VitalSigns;
import org.iomtpq.gateway.testsupport.EthNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The device life cycle with registry.mode=chain on a real Anvil (PROTOCOL.md §4, §5, §5a, §7, §9): enrollment is
 * PENDING_CHAIN until registerDeviceKey is mined, rotation takes effect when rotateDeviceKey is mined, revocation sends
 * deactivateKey through the outbox; the gateway's account sends each operation exactly once.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChainFlowIT {

    private static final String TX_HASH = "0x[0-9a-f]{64}";

    @TempDir
    static Path dataDir;

    private static EthNode anvil;
    private static GatewayFixture gw;
    private static RegistryClient reader;
    private static String gatewayAccount;
    private static final SecureRandom RANDOM = new SecureRandom();

    @BeforeAll
    static void start() {
        anvil = EthNode.start(EthNode.Kind.ANVIL);
        gatewayAccount = ChainRig.address(anvil.kind().devAccount(0));
        String registry = ChainRig.deployForDevGateway(anvil, dataDir);
        // Empty private key on a loopback dev chain: the gateway signs with dev account #0.
        gw = GatewayFixture.start(dataDir, ChainRig.gatewaySettings(anvil.rpcUrl(), anvil.chainId(), registry, ""));
        reader = ChainRig.reader(anvil.rpcUrl(), registry, anvil.chainId());
    }

    @AfterAll
    static void stop() {
        ChainRig.closeAll(reader, gw, anvil);
    }

    @Test
    @Order(1)
    void httpEnrollmentHandshakeRotationAndRevocationGoThroughTheChain() {
        SimulatedDevice device = SimulatedDevice.generate("BP_CHAIN_HTTP_001", "bp-monitor", gw.httpTransport(), RANDOM);
        String commitment = Hex0x.encode(device.identity().keyCommitment());

        EnrolledMessage enrolled = device.enroll();
        assertEquals("PENDING_CHAIN", enrolled.status(), "not ACTIVE before registerDeviceKey is mined");
        assertEquals(commitment, enrolled.keyCommitment());
        assertAnswerNamesItsTransaction(enrolled.txHash(), device.deviceId());

        JsonNode active = ChainRig.awaitStatus(gw, device.deviceId(), "ACTIVE");
        String registerTx = active.path("txHash").asText();
        assertEquals(enrolled.txHash(), registerTx, "the answer named the registration's transaction");
        assertTrue(reader.outcome(registerTx).orElseThrow().success(), "the named transaction was mined and succeeded");
        DeviceKey onChain = ChainRig.onChain(reader, device.deviceId());
        assertArrayEquals(device.identity().keyCommitment(), onChain.commitment());
        assertTrue(onChain.active());
        assertEquals(1, gw.auditCount(device.deviceId(), "KEY_REGISTERED_ON_CHAIN", "SUCCESS"));

        DeviceSession oldSession = device.handshake(GatewayFixture.GATEWAY_ID, gw.gatewayKey());
        TelemetryMessage first = device.send(VitalSigns.sample("bp-monitor", RANDOM));
        assertTrue(gw.observation(Base64s.encode(first.sessionId()), first.seq()).isPresent(), "telemetry stored");

        ChainRig.awaitOutboxSettled(gw); // see the MQTT test: with two transactions unmined the answer says null
        RotationMessage rotation = device.rotate();
        String newCommitment = Hex0x.encode(device.identity().keyCommitment());
        assertEquals("PENDING_CHAIN", rotation.status());
        assertEquals(newCommitment, rotation.keyCommitment());
        assertAnswerNamesItsTransaction(rotation.txHash(), device.deviceId());
        JsonNode rotated = GatewayFixture.await("rotation mined", CHAIN_WAIT, () -> {
            JsonNode reg = ChainRig.registration(gw, device.deviceId());
            return newCommitment.equals(reg.path("keyCommitment").asText()) ? java.util.Optional.of(reg) : java.util.Optional.empty();
        });
        assertTrue(rotated.path("pendingKeyCommitment").isNull(), rotated.toString());
        assertEquals("ACTIVE", rotated.path("status").asText());
        String rotateTx = rotated.path("txHash").asText();
        assertTrue(rotateTx.matches(TX_HASH) && !rotateTx.equals(registerTx), "txHash names the rotateDeviceKey tx: " + rotated);
        assertEquals(rotation.txHash(), rotateTx, "the answer named the rotation's transaction");
        ChainRig.awaitOnChain(reader, device.deviceId(), newCommitment, true);
        assertEquals(1, gw.auditCount(device.deviceId(), "KEY_ROTATED", "SUCCESS"));

        // The old session ended with the rotation; the new keys handshake.
        assertError(gw.post("/telemetry", MessageCodec.toJson(oldSession.seal(VitalSigns.sample("bp-monitor", RANDOM)))),
                ErrorCode.SESSION_EXPIRED, "telemetry");
        device.handshake(GatewayFixture.GATEWAY_ID, gw.gatewayKey());
        TelemetryMessage afterRotation = device.send(VitalSigns.sample("bp-monitor", RANDOM));
        assertTrue(gw.observation(Base64s.encode(afterRotation.sessionId()), afterRotation.seq()).isPresent());

        JsonNode revoked = gw.operator().revoke(device.deviceId(), "lost");
        assertEquals("REVOKED", revoked.path("status").asText(), "revocation is local at once");
        String revocationTx = ChainRig.awaitField(gw, device.deviceId(), "revocationTxHash");
        assertTrue(revocationTx.matches(TX_HASH));
        ChainRig.awaitOnChain(reader, device.deviceId(), newCommitment, false);
        GatewayRejection refused = assertThrows(GatewayRejection.class,
                () -> device.handshake(GatewayFixture.GATEWAY_ID, gw.gatewayKey()));
        assertEquals(ErrorCode.DEVICE_REVOKED, refused.error().code());
    }

    @Test
    @Order(2)
    void mqttEnrollmentAndRotationGetASecondActiveAnswer() {
        String deviceId = "PULSE_CHAIN_MQTT_001";
        try (MqttDeviceTransport mqtt = new MqttDeviceTransport(gw.mqttUrl());
             DownTopicWatcher watcher = new DownTopicWatcher(gw.mqttUrl(), deviceId)) {
            SimulatedDevice device = SimulatedDevice.generate(deviceId, "pulse-oximeter", mqtt, RANDOM);
            gw.operator().approve(deviceId, 600);
            // The previous test's deactivation and an audit anchor may both still wait to be mined: then the answer
            // does not ring and waits for the relay's next usual round (SubmissionWaits); settled, it rings for its own.
            ChainRig.awaitOutboxSettled(gw);

            EnrolledMessage enrolled = device.enroll();
            assertEquals("PENDING_CHAIN", enrolled.status());
            assertAnswerNamesItsTransaction(enrolled.txHash(), deviceId);
            assertTrue(watcher.next(DownTopicWatcher.typeAndStatus("enrolled", "PENDING_CHAIN"), CHAIN_WAIT).isPresent());
            JsonNode second = watcher.next(DownTopicWatcher.typeAndStatus("enrolled", "ACTIVE"), CHAIN_WAIT)
                    .orElseThrow(() -> new AssertionError("no second `enrolled` ACTIVE on the down topic"));
            assertEquals(enrolled.keyCommitment(), second.path("keyCommitment").asText());
            assertEquals(enrolled.txHash(), second.path("txHash").asText(), "the second answer names the same one");
            assertEquals("ACTIVE", ChainRig.registration(gw, deviceId).path("status").asText());

            DeviceSession oldSession = device.handshake(GatewayFixture.GATEWAY_ID, gw.gatewayKey());
            TelemetryMessage reading = device.send(VitalSigns.sample("pulse-oximeter", RANDOM));
            GatewayFixture.awaitTrue("MQTT telemetry stored", CHAIN_WAIT,
                    () -> gw.observation(Base64s.encode(reading.sessionId()), reading.seq()).isPresent());

            ChainRig.awaitOutboxSettled(gw);
            RotationMessage rotation = device.rotate();
            String newCommitment = Hex0x.encode(device.identity().keyCommitment());
            assertEquals("PENDING_CHAIN", rotation.status());
            assertEquals(newCommitment, rotation.keyCommitment());
            assertAnswerNamesItsTransaction(rotation.txHash(), deviceId);
            JsonNode rotated = watcher.next(DownTopicWatcher.typeAndStatus("rotation", "ACTIVE"), CHAIN_WAIT)
                    .orElseThrow(() -> new AssertionError("no second `rotation` ACTIVE on the down topic"));
            assertEquals(newCommitment, rotated.path("keyCommitment").asText());
            assertEquals(rotation.txHash(), rotated.path("txHash").asText(), "the second answer names the same one");
            ChainRig.awaitOnChain(reader, deviceId, newCommitment, true);

            // The old session's telemetry is refused once the rotation is mined; the new keys handshake.
            mqtt.send(deviceId, Step.TELEMETRY, MessageCodec.toJson(oldSession.seal(VitalSigns.sample("pulse-oximeter", RANDOM))),
                    Duration.ofSeconds(1));
            GatewayAnswer error = mqtt.pendingError(deviceId, CHAIN_WAIT)
                    .orElseThrow(() -> new AssertionError("no error for the old session's telemetry"));
            assertErrorJson(error.json(), ErrorCode.SESSION_EXPIRED, "telemetry");
            DeviceSession fresh = device.handshake(GatewayFixture.GATEWAY_ID, gw.gatewayKey());
            assertNotEquals(Base64s.encode(oldSession.sessionId()), Base64s.encode(fresh.sessionId()));
            TelemetryMessage after = device.send(VitalSigns.sample("pulse-oximeter", RANDOM));
            GatewayFixture.awaitTrue("telemetry with the new keys stored", CHAIN_WAIT,
                    () -> gw.observation(Base64s.encode(after.sessionId()), after.seq()).isPresent());
        }
    }

    /**
     * PROTOCOL.md §4, §5a: the first answer names the submitted transaction; the registration endpoint names the same
     * one, and the node knows it.
     */
    private static void assertAnswerNamesItsTransaction(String answerTxHash, String deviceId) {
        assertTrue(answerTxHash != null && answerTxHash.matches(TX_HASH), "the answer's txHash: " + answerTxHash);
        assertEquals(answerTxHash, ChainRig.registration(gw, deviceId).path("txHash").asText(),
                "the registration endpoint names the same transaction");
        try {
            assertTrue(reader.web3j().ethGetTransactionByHash(answerTxHash).send().getTransaction().isPresent(),
                    "eth_getTransactionByHash finds " + answerTxHash);
        } catch (java.io.IOException e) {
            throw new AssertionError("eth_getTransactionByHash failed", e);
        }
    }

    @Test
    @Order(99)
    void everyOperationWasSentOnceByTheGatewayAccount() {
        ChainRig.awaitOutboxSettled(gw);

        // HTTP device: register, rotate, deactivate; MQTT device: register, rotate (plus any audit anchors).
        assertEquals(5, ChainRig.sentDeviceTransactions(gw), "device operations that carried a transaction");
        ChainRig.assertMinedEqualsSent(gw, reader, gatewayAccount);
        assertFalse(gw.count("outbox", com.mongodb.client.model.Filters.eq("status", "REVERTED")) > 0, "nothing reverted");
    }
}
