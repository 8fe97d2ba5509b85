package org.iomtpq.gateway.it.chain;

import static org.iomtpq.gateway.it.chain.ChainRig.CHAIN_WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.model.Filters;
import org.bson.Document;
import org.iomtpq.gateway.chain.LocalEthNode;
import org.iomtpq.gateway.chain.RegistryClient;
import org.iomtpq.gateway.it.GatewayFixture;
import org.iomtpq.gateway.protocol.EnrolledMessage;
import org.iomtpq.gateway.protocol.ErrorCode;
import org.iomtpq.gateway.protocol.Hex0x;
import org.iomtpq.gateway.simulator.GatewayRejection;
import org.iomtpq.gateway.simulator.SimulatedDevice;
import org.iomtpq.gateway.testsupport.EthNode;
import org.iomtpq.gateway.testsupport.FreePorts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The outbox (PROTOCOL.md §4, §7, §9) when the chain is not there: operations wait, local effects do not, and once the
 * node is back (same port, same state: Anvil --state) everything reaches the chain exactly once. Also a gateway
 * restart between "signed" and "mined" (Anvil with automine off) re-broadcasts the stored transaction, not a new one.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OutboxChainDownIT {

    @TempDir
    static Path base;

    private static Path dataDir;
    private static Path stateFile;
    private static int port;
    private static LocalEthNode anvil;
    private static GatewayFixture gw;
    private static String registry;
    private static String gatewayAccount;
    private static final Map<String, String> SETTINGS = new HashMap<>();
    private static final SecureRandom RANDOM = new SecureRandom();

    @BeforeAll
    static void start() throws Exception {
        EthNode.requireOrSkip(EthNode.Kind.ANVIL);
        dataDir = Files.createDirectories(base.resolve("gateway"));
        stateFile = base.resolve("anvil-state.json");
        port = FreePorts.loopback();
        anvil = startAnvil();
        LocalEthNode.Kind kind = LocalEthNode.Kind.ANVIL;
        gatewayAccount = ChainRig.address(kind.devAccount(0));
        registry = ChainRig.deploy(anvil.rpcUrl(), anvil.chainId(), kind.devAccount(ChainRig.OWNER_ACCOUNT),
                List.of(ChainRig.authorization(kind.devAccount(0), dataDir)));
        SETTINGS.putAll(ChainRig.gatewaySettings(anvil.rpcUrl(), anvil.chainId(), registry, ""));
        byte[] masterKey = new byte[32];
        RANDOM.nextBytes(masterKey);
        SETTINGS.put("iomt.master-key", Base64.getEncoder().encodeToString(masterKey)); // the same across restarts
        // One audit anchor shortly after each start, then none: none may sit unmined ahead of the test's own
        // transaction while automine is off.
        SETTINGS.put("iomt.audit.anchor-interval-ms", "3600000");
        gw = GatewayFixture.start(dataDir, SETTINGS);
    }

    private static LocalEthNode startAnvil() {
        return LocalEthNode.start(LocalEthNode.Kind.ANVIL, EthNode.repoRoot(), port, List.of("--state", stateFile.toString()));
    }

    @AfterAll
    static void stop() {
        ChainRig.closeAll(gw, anvil);
    }

    @Test
    @Order(1)
    void operationsWaitForTheChainAndReachItOnceWhenItIsBack() throws Exception {
        SimulatedDevice revokedLater = SimulatedDevice.generate("BP_DOWN_OLD_001", "bp-monitor", gw.httpTransport(), RANDOM);
        revokedLater.enroll();
        ChainRig.awaitStatus(gw, revokedLater.deviceId(), "ACTIVE");
        revokedLater.handshake(GatewayFixture.GATEWAY_ID, gw.gatewayKey());

        anvil.close(); // SIGTERM: Anvil dumps its state to the --state file
        anvil = null;
        assertTrue(Files.size(stateFile) > 0, "Anvil wrote its state");

        SimulatedDevice newcomer = SimulatedDevice.generate("BP_DOWN_NEW_001", "bp-monitor", gw.httpTransport(), RANDOM);
        EnrolledMessage enrolled = newcomer.enroll();
        assertEquals("PENDING_CHAIN", enrolled.status(), "enrollment does not need the chain to answer");
        String registerId = "register/" + newcomer.deviceId() + "/" + enrolled.keyCommitment();
        GatewayFixture.awaitTrue("the relay tried the registration and backed off", CHAIN_WAIT,
                () -> outboxEntry(registerId).map(d -> ((Number) d.get("attempts")).intValue() >= 1).orElse(false));
        assertEquals("PENDING_CHAIN", ChainRig.registration(gw, newcomer.deviceId()).path("status").asText(),
                "stays PENDING_CHAIN while the chain is down");

        JsonNode revoked = gw.operator().revoke(revokedLater.deviceId(), "chain down test");
        assertEquals("REVOKED", revoked.path("status").asText(), "revocation is local at once");
        GatewayRejection refused = assertThrows(GatewayRejection.class,
                () -> revokedLater.handshake(GatewayFixture.GATEWAY_ID, gw.gatewayKey()));
        assertEquals(ErrorCode.DEVICE_REVOKED, refused.error().code());
        assertTrue(ChainRig.registration(gw, revokedLater.deviceId()).path("revocationTxHash").isNull(),
                "nothing submitted while the chain is down");

        anvil = startAnvil();
        try (RegistryClient reader = ChainRig.reader(anvil.rpcUrl(), registry, anvil.chainId())) {
            // The restored state holds the old device's key. Whether it is still active depends on whether the relay's
            // next round (every 250 ms) already sent the deactivation, which it may do as soon as the node answers.
            assertEquals(Hex0x.encode(revokedLater.identity().keyCommitment()),
                    Hex0x.encode(ChainRig.onChain(reader, revokedLater.deviceId()).commitment()),
                    "the restored chain still has the old device's key");
            JsonNode active = ChainRig.awaitStatus(gw, newcomer.deviceId(), "ACTIVE");
            assertTrue(active.path("txHash").asText().startsWith("0x"), active.toString());
            ChainRig.awaitOnChain(reader, newcomer.deviceId(), enrolled.keyCommitment(), true);
            ChainRig.awaitOnChain(reader, revokedLater.deviceId(), null, false);
            assertNotNull(ChainRig.awaitField(gw, revokedLater.deviceId(), "revocationTxHash"));
            assertNothingSentTwice(reader, 3); // register old, register new, deactivate old
        }
    }

    @Test
    @Order(2)
    void aGatewayRestartBetweenSignedAndMinedSendsTheSameTransaction() throws Exception {
        anvil.rpc("evm_setAutomine", "[false]");
        SimulatedDevice device = SimulatedDevice.generate("BP_RESTART_001", "bp-monitor", gw.httpTransport(), RANDOM);
        EnrolledMessage enrolled = device.enroll();
        String registerId = "register/" + device.deviceId() + "/" + enrolled.keyCommitment();
        Document signed = GatewayFixture.await("registration SIGNED", CHAIN_WAIT,
                () -> outboxEntry(registerId).filter(d -> "SIGNED".equals(d.getString("status"))));
        String txHash = signed.getString("txHash");

        gw.close();
        gw = null;
        gw = GatewayFixture.start(dataDir, SETTINGS); // same data dir: same MongoDB file, outbox and identity
        assertEquals("PENDING_CHAIN", ChainRig.registration(gw, device.deviceId()).path("status").asText());
        // Give the new relay its ticks while the transaction is still unmined: it must re-broadcast, not re-sign.
        Thread.sleep(2_000);
        assertEquals(txHash, outboxEntry(registerId).orElseThrow().getString("txHash"), "the stored transaction is kept");
        assertEquals(1, pendingTransactions(), "one transaction waits in the pool, not two");

        anvil.rpc("evm_setAutomine", "[true]");
        anvil.rpc("evm_mine", "[]");
        try (RegistryClient reader = ChainRig.reader(anvil.rpcUrl(), registry, anvil.chainId())) {
            JsonNode active = ChainRig.awaitStatus(gw, device.deviceId(), "ACTIVE");
            assertEquals(txHash, active.path("txHash").asText());
            ChainRig.awaitOnChain(reader, device.deviceId(), Hex0x.encode(device.identity().keyCommitment()), true);
            assertNothingSentTwice(reader, 4);
        }
    }

    private static void assertNothingSentTwice(RegistryClient reader, long expected) {
        ChainRig.awaitOutboxSettled(gw);
        assertFalse(gw.count("outbox", Filters.eq("status", "REVERTED")) > 0, "nothing reverted (a duplicate would)");
        assertEquals(expected, ChainRig.sentDeviceTransactions(gw), "device operations that carried a transaction");
        ChainRig.assertMinedEqualsSent(gw, reader, gatewayAccount);
    }

    /** Pending minus mined nonce of the gateway account: transactions waiting in the node's pool. */
    private static long pendingTransactions() throws Exception {
        return nonce("pending") - nonce("latest");
    }

    private static long nonce(String block) throws Exception {
        String answer = anvil.rpc("eth_getTransactionCount", "[\"" + gatewayAccount + "\",\"" + block + "\"]");
        JsonNode result = org.iomtpq.gateway.it.Answers.json(answer).path("result");
        return Long.decode(result.asText());
    }

    private static Optional<Document> outboxEntry(String id) {
        return Optional.ofNullable(gw.db().getCollection("outbox").find(Filters.eq("_id", id)).first());
    }
}
