package org.iomtpq.gateway.chain;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Function;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

/**
 * Send-and-wait for one-off administrative transactions (deployment, gateway authorization, the gas report):
 * nonce from the node, sign, broadcast, poll until confirmed. The relay does NOT use this (it persists first).
 */
final class AdminTransactions {

    /** A confirmed administrative transaction. */
    record Sent(SignedTx tx, TxOutcome outcome) {
    }

    private AdminTransactions() {
    }

    static DeployedContract deploy(RegistryClient client, ContractArtifact artifact, String constructorArgsHex,
            Duration timeout) {
        String init = artifact.bytecode() + Numeric.cleanHexPrefix(constructorArgsHex == null ? "" : constructorArgsHex);
        SignedTx tx = client.signData(null, init, client.nextNonce(), "deploy " + artifact.contractName());
        client.broadcast(tx);
        TransactionReceipt receipt = await(client, tx.txHash(), timeout);
        if (!receipt.isStatusOK() || receipt.getContractAddress() == null) {
            throw new IllegalStateException("deployment of " + artifact.contractName() + " failed: " + tx.txHash());
        }
        return new DeployedContract(receipt.getContractAddress().toLowerCase(Locale.ROOT), tx.txHash(),
                receipt.getGasUsed().longValueExact());
    }

    static Sent send(RegistryClient client, String to, Function call, Duration timeout) {
        SignedTx tx = client.signData(to, FunctionEncoder.encode(call), client.nextNonce(), call.getName());
        client.broadcast(tx);
        await(client, tx.txHash(), timeout);
        return new Sent(tx, client.outcome(tx.txHash()).orElseThrow());
    }

    private static TransactionReceipt await(RegistryClient client, String txHash, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<TransactionReceipt> receipt = client.confirmed(txHash);
            if (receipt.isPresent()) {
                return receipt.get();
            }
            if (System.nanoTime() > deadline) {
                throw new ChainUnavailableException(txHash + " not confirmed (" + client.settings().confirmations()
                        + " blocks deep) within " + timeout);
            }
            try {
                Thread.sleep(client.settings().pollInterval().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ChainUnavailableException("interrupted while waiting for " + txHash, e);
            }
        }
    }
}
