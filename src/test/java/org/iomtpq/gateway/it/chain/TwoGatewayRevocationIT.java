package org.iomtpq.gateway.it.chain;

import static org.iomtpq.gateway.it.Answers.assertError;
import static org.iomtpq.gateway.it.chain.ChainRig.CHAIN_WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.model.Filters;
import org.iomtpq.gateway.chain.RegistryClient;
import org.iomtpq.gateway.chain.TxOutcome;
import org.iomtpq.gateway.it.Answers;
import org.iomtpq.gateway.it.Forge;
import org.iomtpq.gateway.it.GatewayFixture;
import org.iomtpq.gateway.protocol.DeviceIdentity;
import org.iomtpq.gateway.protocol.DeviceSession;
import org.iomtpq.gateway.protocol.ErrorCode;
import org.iomtpq.gateway.protocol.Hex0x;
import org.iomtpq.gateway.protocol.MessageCodec;
import org.iomtpq.gateway.simulator.GatewayRejection;
import org.iomtpq.gateway.simulator.SimulatedDevice;
import org.iomtpq.gateway.simulator.VitalSigns;
import org.iomtpq.gateway.testsupport.EthNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;

/**
 * PROTOCOL.md §7 across gateways: A and B (own data directory, ML-KEM key, MongoDB, broker and Ethereum account) share
 * one registry. A device enrolled at both is revoked at A; B learns it from the KeyDeactivated event and refuses the
 * device's hello and the telemetry of its open session within 2 s of the block.
 */
class TwoGatewayRevocationIT {

    @TempDir
    static Path base;

    private static EthNode anvil;
    private static GatewayFixture a;
    private static GatewayFixture b;
    private static RegistryClient reader;
    private static Credentials accountB;
    private static final SecureRandom RANDOM = new SecureRandom();

    @BeforeAll
    static void start() throws Exception {
        anvil = EthNode.start(EthNode.Kind.ANVIL);
        Path dirA = Files.createDirectories(base.resolve("a"));
        Path dirB = Files.createDirectories(base.resolve("b"));
        Credentials accountA = anvil.kind().devAccount(0);
        accountB = anvil.kind().devAccount(1);
        String registry = ChainRig.deploy(anvil.rpcUrl(), anvil.chainId(), anvil.kind().devAccount(ChainRig.OWNER_ACCOUNT),
                List.of(ChainRig.authorization(accountA, dirA), ChainRig.authorization(accountB, dirB)));
        a = GatewayFixture.start(dirA, ChainRig.gatewaySettings(anvil.rpcUrl(), anvil.chainId(), registry, ""));
        b = GatewayFixture.start(dirB, ChainRig.gatewaySettings(anvil.rpcUrl(), anvil.chainId(), registry,
                ChainRig.privateKeyHex(accountB)));
        reader = ChainRig.reader(anvil.rpcUrl(), registry, anvil.chainId());
    }

    @AfterAll
    static void stop() {
        ChainRig.closeAll(reader, b, a, anvil);
    }

    @Test
    void aRevocationAtOneGatewayEndsTheDeviceAtTheOtherWithinTwoSecondsOfTheBlock() {
        assertNotEquals(Hex0x.encode(a.gatewayKey().keccak256()), Hex0x.encode(b.gatewayKey().keccak256()),
                "each gateway has its own ML-KEM identity");
        assertEquals(ChainRig.address(accountB), b.operator().gatewayRecord().gatewayAddress(), "B signs with dev #1");
        DeviceIdentity id = DeviceIdentity.generate("GLUCO_TWO_GW_001", "bp-monitor", RANDOM);
        String enroll = Forge.enroll(id, Instant.now(), RANDOM);

        GatewayFixture.Response atA = a.postAsOperator("/devices", enroll);
        assertEquals(201, atA.status(), atA.body());
        assertEquals("PENDING_CHAIN", Answers.json(atA.body()).path("status").asText());
        String registerTx = ChainRig.awaitStatus(a, id.deviceId(), "ACTIVE").path("txHash").asText();
        assertTrue(registerTx.startsWith("0x"), registerTx);

        // The same enrollment at B: the commitment is already active on chain, so B activates without a transaction.
        GatewayFixture.Response atB = b.postAsOperator("/devices", enroll);
        assertTrue(atB.status() == 201 || atB.status() == 200, atB.body());
        JsonNode activeAtB = ChainRig.awaitStatus(b, id.deviceId(), "ACTIVE");
        assertTrue(activeAtB.path("txHash").isNull(), "B sent no registration: " + activeAtB);
        ChainRig.awaitOutboxSettled(b);
        // B's audit anchor timer may already have anchored B's first entries from the same account: B sent no device
        // operation, and its account sent nothing but what its outbox recorded (its anchors)
        assertEquals(0, ChainRig.sentDeviceTransactions(b), "B sent no registration");
        ChainRig.assertMinedEqualsSent(b, reader, ChainRig.address(accountB));

        SimulatedDevice viaA = new SimulatedDevice(id, a.httpTransport(), RANDOM);
        SimulatedDevice viaB = new SimulatedDevice(id, b.httpTransport(), RANDOM);
        viaA.handshake(GatewayFixture.GATEWAY_ID, a.gatewayKey());
        viaA.send(VitalSigns.sample("bp-monitor", RANDOM));
        DeviceSession sessionAtB = viaB.handshake(GatewayFixture.GATEWAY_ID, b.gatewayKey());
        viaB.send(VitalSigns.sample("bp-monitor", RANDOM));

        assertEquals("REVOKED", a.operator().revoke(id.deviceId(), "stolen").path("status").asText());
        String revocationTx = ChainRig.awaitField(a, id.deviceId(), "revocationTxHash");
        TxOutcome mined = GatewayFixture.await("deactivateKey mined", CHAIN_WAIT, () -> reader.outcome(revocationTx));
        long minedSeenAt = System.nanoTime();
        assertTrue(mined.success(), "deactivateKey succeeded: " + mined);
        assertTrue(!ChainRig.onChain(reader, id.deviceId()).active(), "inactive on chain");

        // B: poll its open session every 100 ms for at most 2 s after the block was seen mined.
        GatewayFixture.Response refused = null;
        while (System.nanoTime() - minedSeenAt <= Duration.ofSeconds(2).toNanos()) {
            GatewayFixture.Response r = b.post("/telemetry", MessageCodec.toJson(sessionAtB.seal(VitalSigns.sample("bp-monitor", RANDOM))));
            if (r.status() == ErrorCode.DEVICE_REVOKED.httpStatus()) {
                refused = r;
                break;
            }
            assertEquals(201, r.status(), "until B learns of the revocation its session works: " + r.body());
            sleep(100);
        }
        if (refused == null) {
            fail("B still accepted telemetry 2 s after the deactivation block was mined");
        }
        assertError(refused, ErrorCode.DEVICE_REVOKED, "telemetry");
        GatewayRejection hello = assertThrows(GatewayRejection.class,
                () -> viaB.handshake(GatewayFixture.GATEWAY_ID, b.gatewayKey()));
        assertEquals(ErrorCode.DEVICE_REVOKED, hello.error().code());

        JsonNode atBNow = ChainRig.registration(b, id.deviceId());
        assertEquals("REVOKED", atBNow.path("status").asText());
        assertEquals(revocationTx, atBNow.path("revocationTxHash").asText(), "B names A's deactivateKey transaction");
        assertEquals(1, b.auditCount(id.deviceId(), "KEY_REVOKED", "SUCCESS"));
        assertEquals(0, b.count("outbox", Filters.eq("op", "DEACTIVATE")), "B does not deactivate again");
        assertEquals(0, ChainRig.sentDeviceTransactions(b), "B still sent no device operation");
        ChainRig.assertMinedEqualsSent(b, reader, ChainRig.address(accountB));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
