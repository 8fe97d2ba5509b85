package org.iomtpq.gateway.chain;

import static org.iomtpq.gateway.chain.RegistryFixture.newCommitment;
import static org.iomtpq.gateway.chain.RegistryFixture.newDeviceIdHash;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.Optional;
import org.iomtpq.gateway.testsupport.EthNode;
import org.iomtpq.gateway.testsupport.FreePorts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.web3j.utils.Numeric;

/** The gateway's registry client against a real Anvil: nonces across restarts, idempotent broadcast, confirmations, errors. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RegistryClientIT {

    private RegistryFixture f;

    @BeforeAll
    void startAnvilAndDeploy() throws Exception {
        f = RegistryFixture.start(EthNode.Kind.ANVIL);
    }

    @AfterEach
    void automineBackOn() throws Exception {
        if (f != null) {
            f.node.rpc("evm_setAutomine", "[true]");
        }
    }

    @AfterAll
    void stop() {
        if (f != null) {
            f.close();
        }
    }

    @Test
    void aSecondInstanceContinuesTheNoncesAndBroadcastsWhatTheFirstOnlySigned() throws Exception {
        byte[] first = newDeviceIdHash();
        byte[] second = newDeviceIdHash();
        byte[] third = newDeviceIdHash();
        SignedTx sent;
        SignedTx signedOnly;
        try (RegistryClient before = f.gatewayClient()) {
            long nonce = before.nextNonce();
            sent = before.sign(RegistryContract.registerDeviceKey(first, newCommitment()), nonce);
            before.broadcast(sent);
            signedOnly = before.sign(RegistryContract.registerDeviceKey(second, newCommitment()), nonce + 1);
            assertEquals(nonce + 1, signedOnly.nonce());
        } // "crash": the second transaction was persisted but never sent

        try (RegistryClient after = f.gatewayClient()) {
            assertEquals(sent.nonce() + 1, after.nextNonce(), "the node counts the sent transaction only");
            after.broadcast(signedOnly);
            after.broadcast(sent); // already mined: success, not an error
            SignedTx next = after.sign(RegistryContract.registerDeviceKey(third, newCommitment()), after.nextNonce());
            assertEquals(signedOnly.nonce() + 1, next.nonce());
            after.broadcast(next);
            for (SignedTx tx : new SignedTx[] {sent, signedOnly, next}) {
                assertTrue(await(after, tx.txHash()).success(), tx.txHash());
            }
            assertEquals(next.nonce() + 1, after.nextNonce(), "each transaction mined exactly once");
        }
        assertTrue(f.deviceKey(first).active());
        assertTrue(f.deviceKey(second).active());
        assertTrue(f.deviceKey(third).active());
    }

    @Test
    void broadcastingTheSameTransactionTwiceMinesItOnce() throws Exception {
        try (RegistryClient client = f.gatewayClient()) {
            f.node.rpc("evm_setAutomine", "[false]"); // keep it in the pool so the second send meets it there
            long nonce = client.nextNonce();
            SignedTx tx = client.sign(RegistryContract.registerDeviceKey(newDeviceIdHash(), newCommitment()), nonce);
            client.broadcast(tx);
            client.broadcast(tx); // "already imported": success
            assertEquals(Optional.empty(), client.outcome(tx.txHash()));
            f.node.rpc("evm_mine", "[]");
            assertTrue(await(client, tx.txHash()).success());
            client.broadcast(tx); // mined: "nonce too low" for this very transaction is success too
            assertEquals(nonce + 1, client.nextNonce());
        }
    }

    @Test
    void aNonceTakenByAnotherTransactionIsReported() throws Exception {
        try (RegistryClient client = f.gatewayClient()) {
            long nonce = client.nextNonce();
            SignedTx winner = client.sign(RegistryContract.registerDeviceKey(newDeviceIdHash(), newCommitment()), nonce);
            SignedTx loser = client.sign(RegistryContract.registerDeviceKey(newDeviceIdHash(), newCommitment()), nonce);
            client.broadcast(winner);
            assertTrue(await(client, winner.txHash()).success());
            NonceConsumedException e = assertThrows(NonceConsumedException.class, () -> client.broadcast(loser));
            assertTrue(e.getMessage().contains("nonce " + nonce), e.getMessage());
        }
    }

    @Test
    void anOutcomeWaitsForTheConfiguredConfirmations() throws Exception {
        ChainSettings twoDeep = new ChainSettings(f.node.rpcUrl(), f.registry, f.node.chainId(), 2, Duration.ofMillis(25));
        try (RegistryClient client = new RegistryClient(twoDeep, EthAccount.of(f.gateway))) {
            SignedTx tx = client.sign(RegistryContract.registerDeviceKey(newDeviceIdHash(), newCommitment()),
                    client.nextNonce());
            client.broadcast(tx);
            long mined = f.chain.receipt(tx.txHash()).getBlockNumber().longValueExact();
            assertEquals(mined, client.blockNumber(), "automine: the transaction's block is the head");
            assertEquals(Optional.empty(), client.outcome(tx.txHash()), "one block deep is not enough");
            f.node.rpc("evm_mine", "[]");
            TxOutcome outcome = client.outcome(tx.txHash()).orElseThrow(() -> new AssertionError("two blocks deep"));
            assertTrue(outcome.success());
            assertEquals(mined, outcome.blockNumber());
            assertTrue(outcome.gasUsed() > 21_000);
        }
    }

    @Test
    void aRevertIsRefusedBeforeSendingAndAMinedRevertIsExplained() throws Exception {
        byte[] device = newDeviceIdHash();
        try (RegistryClient client = f.gatewayClient()) {
            f.node.rpc("evm_setAutomine", "[false]");
            long nonce = client.nextNonce();
            // Both estimate fine while the first is pending; mined in one block, the second must revert.
            SignedTx register = client.sign(RegistryContract.registerDeviceKey(device, newCommitment()), nonce);
            SignedTx again = client.sign(RegistryContract.registerDeviceKey(device, newCommitment()), nonce + 1);
            client.broadcast(register);
            client.broadcast(again);
            f.node.rpc("evm_mine", "[]");
            assertTrue(await(client, register.txHash()).success());
            TxOutcome failed = await(client, again.txHash());
            assertFalse(failed.success());
            assertEquals("DeviceAlreadyActive(" + Numeric.toHexString(device) + ")", failed.revertReason());
            f.node.rpc("evm_setAutomine", "[true]");

            ChainRevertException refused = assertThrows(ChainRevertException.class,
                    () -> client.sign(RegistryContract.registerDeviceKey(device, newCommitment()), client.nextNonce()));
            assertEquals("DeviceAlreadyActive", refused.errorName());
            assertEquals("registerDeviceKey reverted: DeviceAlreadyActive(" + Numeric.toHexString(device) + ")",
                    refused.getMessage());
        }
    }

    @Test
    void readsGoThroughTheConfiguredRegistry() throws Exception {
        byte[] device = newDeviceIdHash();
        byte[] commitment = newCommitment();
        try (RegistryClient client = f.gatewayClient()) {
            assertFalse(client.getDeviceKey(device).active());
            assertTrue(client.sendAndWait(RegistryContract.registerDeviceKey(device, commitment)).success());
            DeviceKey key = client.getDeviceKey(device);
            assertTrue(key.active());
            assertArrayEquals(commitment, key.commitment());
            assertTrue(client.gatewayKey(f.gateway.getAddress()).authorized());
            assertEquals(31337, client.chainId());
        }
    }

    @Test
    void aDeadNodeIsChainUnavailable() {
        String nowhere = "http://127.0.0.1:" + FreePorts.loopback();
        ChainSettings down = new ChainSettings(nowhere, f.registry, 31337, 1, Duration.ofMillis(25));
        RegistryClient client = assertDoesNotThrow(() -> new RegistryClient(down, EthAccount.of(f.gateway)),
                "a node that is down at start is retried later, not fatal");
        try (client) {
            assertThrows(ChainUnavailableException.class, client::blockNumber);
            assertThrows(ChainUnavailableException.class, client::nextNonce);
            assertThrows(ChainUnavailableException.class, () -> client.getDeviceKey(newDeviceIdHash()));
            assertThrows(ChainUnavailableException.class,
                    () -> client.broadcast(new SignedTx(0, "0x00", "0x" + "00".repeat(32))));
        }
    }

    @Test
    void aNodeOnAnotherChainIsRefused() {
        ChainSettings wrong = new ChainSettings(f.node.rpcUrl(), f.registry, 1, 1, Duration.ofMillis(25));
        try (RegistryClient client = new RegistryClient(wrong, EthAccount.of(f.gateway))) {
            IllegalStateException e = assertThrows(IllegalStateException.class, client::nextNonce,
                    "nothing is signed or read for the wrong chain");
            assertTrue(e.getMessage().contains("chain id 31337") && e.getMessage().contains("iomt.chain-id is 1"), e.getMessage());
        }
    }

    @Test
    void deployerDeploysAndAuthorizes() {
        byte[] kemKeyHash = newCommitment();
        String second = f.node.kind().devAccount(5).getAddress();
        RegistryDeployer.Deployment deployment = RegistryDeployer.deployAndAuthorize(f.chain.as(f.owner), java.util.List.of(
                new RegistryDeployer.GatewayAuthorization(f.gateway.getAddress(), kemKeyHash),
                new RegistryDeployer.GatewayAuthorization(second, kemKeyHash)));
        assertEquals(2, deployment.authorizationTxHashes().size());
        try (RegistryClient client = new RegistryClient(f.chain.settings().withRegistry(deployment.address()),
                EthAccount.of(f.gateway))) {
            assertArrayEquals(kemKeyHash, client.gatewayKey(f.gateway.getAddress()).kemKeyHash());
            assertTrue(client.gatewayKey(second).authorized());
        }
    }

    /** Polls the outcome (one block deep: automine has it at once, the loop only absorbs scheduling). */
    static TxOutcome await(RegistryClient client, String txHash) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            Optional<TxOutcome> outcome = client.outcome(txHash);
            if (outcome.isPresent()) {
                return outcome.get();
            }
            Thread.sleep(25);
        }
        return fail("no outcome for " + txHash);
    }
}
