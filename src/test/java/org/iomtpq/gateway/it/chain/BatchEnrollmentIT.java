package org.iomtpq.gateway.it.chain;

import static org.iomtpq.gateway.it.chain.ChainRig.CHAIN_WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.model.Filters;
import org.bson.Document;
import org.iomtpq.gateway.chain.LocalEthNode;
import org.iomtpq.gateway.chain.RegistryClient;
import org.iomtpq.gateway.it.Answers;
import org.iomtpq.gateway.it.GatewayFixture;
import org.iomtpq.gateway.protocol.EnrolledMessage;
import org.iomtpq.gateway.simulator.SimulatedDevice;
import org.iomtpq.gateway.testsupport.EthNode;
import org.iomtpq.gateway.testsupport.FreePorts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fleet enrolled at once (issue 9, item 6) against a real Anvil: 50 devices become ACTIVE in far fewer transactions
 * than devices (registerDeviceKeys batches), each with its batch's hash and its own KEY_REGISTERED_ON_CHAIN. Mining is
 * held back while they are signed, and the gateway is restarted in between: the restarted relay re-broadcasts the
 * stored batches (same hashes), signs nothing twice, and nothing is lost.
 */
class BatchEnrollmentIT {

    private static final int DEVICES = 50;

    @TempDir
    static Path base;

    private static LocalEthNode anvil;
    private static GatewayFixture gw;
    private static Path dataDir;
    private static String registry;
    private static String gatewayAccount;
    private static final Map<String, String> SETTINGS = new HashMap<>();
    private static final SecureRandom RANDOM = new SecureRandom();

    @BeforeAll
    static void start() throws Exception {
        EthNode.requireOrSkip(EthNode.Kind.ANVIL);
        dataDir = Files.createDirectories(base.resolve("gateway"));
        anvil = LocalEthNode.start(LocalEthNode.Kind.ANVIL, EthNode.repoRoot(), FreePorts.loopback(), List.of());
        LocalEthNode.Kind kind = LocalEthNode.Kind.ANVIL;
        gatewayAccount = ChainRig.address(kind.devAccount(0));
        registry = ChainRig.deploy(anvil.rpcUrl(), anvil.chainId(), kind.devAccount(ChainRig.OWNER_ACCOUNT),
                List.of(ChainRig.authorization(kind.devAccount(0), dataDir)));
        SETTINGS.putAll(ChainRig.gatewaySettings(anvil.rpcUrl(), anvil.chainId(), registry, ""));
        byte[] masterKey = new byte[32];
        RANDOM.nextBytes(masterKey);
        SETTINGS.put("iomt.master-key", Base64.getEncoder().encodeToString(masterKey)); // the same across the restart
        SETTINGS.put("iomt.audit.anchor-interval-ms", "3600000");
        gw = GatewayFixture.start(dataDir, SETTINGS);
    }

    @AfterAll
    static void stop() {
        ChainRig.closeAll(gw, anvil);
    }

    @Test
    void aFleetEnrolledAtOnceIsActiveInAFewBatchesAndARestartResendsTheSameOnes() throws Exception {
        List<SimulatedDevice> fleet = IntStream.range(0, DEVICES).mapToObj(i -> SimulatedDevice.generate(
                String.format("FLEET_%03d", i), "pulse-oximeter", gw.httpTransport(), RANDOM)).toList();
        anvil.rpc("evm_setAutomine", "[false]"); // everything signed waits in the pool until the test mines

        List<EnrolledMessage> enrolled = enrollAllAtOnce(fleet);
        assertTrue(enrolled.stream().allMatch(m -> "PENDING_CHAIN".equals(m.status())));
        GatewayFixture.awaitTrue("every registration signed", CHAIN_WAIT,
                () -> gw.count("outbox", Filters.and(Filters.eq("op", "REGISTER"), Filters.ne("status", "SIGNED"))) == 0);
        Map<String, String> txOfDevice = signedTxHashes();
        Set<String> batches = new HashSet<>(txOfDevice.values());
        assertTrue(batches.size() <= DEVICES / 5, DEVICES + " registrations in " + batches.size() + " transactions");
        // Polled: the relay marks a batch's members before it broadcasts the batch.
        GatewayFixture.awaitTrue("every signed transaction waits in the pool", CHAIN_WAIT,
                () -> openTransactions() == pendingInPool());

        gw.close(); // a restart while every batch is signed and none is mined
        gw = null;
        gw = GatewayFixture.start(dataDir, SETTINGS);
        Thread.sleep(2_000); // the restarted relay's rounds, still unmined: it must re-broadcast, not re-sign
        assertEquals(txOfDevice, signedTxHashes(), "the stored batches are kept");
        assertEquals(openTransactions(), pendingInPool(), "no second transaction for the same registrations");

        anvil.rpc("evm_setAutomine", "[true]");
        anvil.rpc("evm_mine", "[]");
        try (RegistryClient reader = ChainRig.reader(anvil.rpcUrl(), registry, anvil.chainId())) {
            for (SimulatedDevice device : fleet) {
                JsonNode active = ChainRig.awaitStatus(gw, device.deviceId(), "ACTIVE");
                assertEquals(txOfDevice.get(device.deviceId()), active.path("txHash").asText(), "its batch's hash");
                assertTrue(ChainRig.onChain(reader, device.deviceId()).active());
                assertEquals(1, gw.auditCount(device.deviceId(), "KEY_REGISTERED_ON_CHAIN", "SUCCESS"), device.deviceId());
            }
            ChainRig.awaitOutboxSettled(gw);
            assertEquals(0, gw.count("outbox", Filters.eq("status", "REVERTED")), "nothing reverted (a duplicate would)");
            assertEquals(batches.size(), ChainRig.sentDeviceTransactions(gw), "device transactions: the batches only");
            ChainRig.assertMinedEqualsSent(gw, reader, gatewayAccount);
        }
    }

    private static List<EnrolledMessage> enrollAllAtOnce(List<SimulatedDevice> fleet) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<EnrolledMessage>> answers = new ArrayList<>();
            fleet.forEach(d -> answers.add(pool.submit(d::enroll)));
            List<EnrolledMessage> out = new ArrayList<>();
            for (Future<EnrolledMessage> f : answers) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    /** deviceId → txHash of every signed registration (its batch's hash when batched). */
    private static Map<String, String> signedTxHashes() {
        Map<String, String> out = new HashMap<>();
        for (Document d : gw.db().getCollection("outbox").find(Filters.and(Filters.eq("op", "REGISTER"),
                Filters.eq("status", "SIGNED")))) {
            out.put(d.getString("deviceId"), d.getString("txHash"));
        }
        return out;
    }

    /** Outbox entries holding a signed, unmined transaction of their own (batches, singles, an anchor). */
    private static long openTransactions() {
        return gw.count("outbox", Filters.and(Filters.eq("status", "SIGNED"), Filters.ne("rawTx", null)));
    }

    private static long pendingInPool() {
        try {
            return nonce("pending") - nonce("latest");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static long nonce(String block) throws Exception {
        String answer = anvil.rpc("eth_getTransactionCount", "[\"" + gatewayAccount + "\",\"" + block + "\"]");
        return Long.decode(Answers.json(answer).path("result").asText());
    }
}
