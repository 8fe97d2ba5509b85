package org.iomtpq.gateway.chain;

import static org.iomtpq.gateway.chain.RegistryFixture.newCommitment;
import static org.iomtpq.gateway.chain.RegistryFixture.newDeviceIdHash;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.iomtpq.gateway.testsupport.EthNode;
import org.junit.jupiter.api.Test;

/** The client's sign / broadcast / outcome path on Ganache 7.9 (legacy EIP-155 transactions, its own error texts). */
class RegistryClientGanacheIT {

    @Test
    void signBroadcastOutcomeAndIdempotentRebroadcast() throws Exception {
        try (RegistryFixture f = RegistryFixture.start(EthNode.Kind.GANACHE); RegistryClient client = f.gatewayClient()) {
            assertEquals(1337, client.chainId());
            byte[] device = newDeviceIdHash();
            long nonce = client.nextNonce();
            SignedTx tx = client.sign(RegistryContract.registerDeviceKey(device, newCommitment()), nonce);
            client.broadcast(tx);
            TxOutcome outcome = RegistryClientIT.await(client, tx.txHash());
            assertTrue(outcome.success());
            assertTrue(outcome.gasUsed() > 21_000);
            client.broadcast(tx); // mined already: Ganache's "doesn't have the correct nonce" for this very tx is success
            assertEquals(nonce + 1, client.nextNonce());
            assertTrue(client.getDeviceKey(device).active());

            // Nonce 1, not 0: Ganache 7.9 accepts and mines ANY nonce-0 transaction again (its replay check skips 0),
            // which is also why broadcast() never resends a transaction the node already knows.
            SignedTx winner = client.sign(RegistryContract.registerDeviceKey(newDeviceIdHash(), newCommitment()), nonce + 1);
            SignedTx loser = client.sign(RegistryContract.registerDeviceKey(newDeviceIdHash(), newCommitment()), nonce + 1);
            client.broadcast(winner);
            assertTrue(RegistryClientIT.await(client, winner.txHash()).success());
            assertThrows(NonceConsumedException.class, () -> client.broadcast(loser));
            assertEquals(nonce + 2, client.nextNonce());
            ChainRevertException refused = assertThrows(ChainRevertException.class,
                    () -> client.sign(RegistryContract.registerDeviceKey(device, newCommitment()), nonce + 2));
            assertEquals("DeviceAlreadyActive", refused.errorName());
            assertFalse(client.outcome("0x" + "ab".repeat(32)).isPresent());
        }
    }
}
