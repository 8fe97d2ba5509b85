package org.iomtpq.gateway.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.iomtpq.gateway.testsupport.EthNode;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Type;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.methods.response.EthSendTransaction;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tx.RawTransactionManager;

/**
 * Test driver over the main {@link RegistryClient}: one client per dev account, plus the one thing the gateway
 * never does — mining a transaction that is known to revert (fixed gas, no estimation), to check on-chain reverts.
 */
final class ChainClient implements AutoCloseable {

    /** Below Ganache's default block gas limit (6,721,975) and above any single call here. */
    private static final BigInteger FIXED_GAS = BigInteger.valueOf(6_000_000);
    private static final Duration RECEIPT_TIMEOUT = Duration.ofSeconds(60);

    private final EthNode node;
    private final Map<String, RegistryClient> clients = new ConcurrentHashMap<>();

    ChainClient(EthNode node) {
        this.node = node;
    }

    ChainSettings settings() {
        return new ChainSettings(node.rpcUrl(), null, node.chainId(), 1, Duration.ofMillis(25));
    }

    /** The gateway-side client signing as {@code account}. */
    RegistryClient as(Credentials account) {
        return clients.computeIfAbsent(account.getAddress(), a -> new RegistryClient(settings(), EthAccount.of(account)));
    }

    Web3j web3j() {
        return as(node.kind().devAccount(0)).web3j();
    }

    DeployedContract deploy(Credentials from, String contractName) {
        return as(from).deploy(ContractArtifact.load(contractName), "");
    }

    /** Sends {@code function} through the main client's send-and-wait, asserts success, returns the receipt (for logs). */
    TransactionReceipt send(Credentials from, String to, Function function) throws IOException {
        AdminTransactions.Sent sent = as(from).submitAndWait(to, function);
        assertTrue(sent.outcome().success(), () -> function.getName() + " reverted: " + sent.outcome());
        return receipt(sent.tx().txHash());
    }

    @SuppressWarnings("rawtypes")
    List<Type> call(String to, Function function) {
        return as(node.kind().devAccount(0)).call(to, function);
    }

    /**
     * Asserts {@code function} from {@code from} reverts with the custom error {@code errorSignature}: the main client
     * refuses it at estimation with a {@link ChainRevertException} naming the error; then, mined anyway with fixed gas,
     * it fails and {@link RegistryClient#outcome} names the same error. Returns the revert data.
     */
    String expectRevert(Credentials from, String to, Function function, String errorSignature) throws IOException {
        RegistryClient client = as(from);
        ChainRevertException refused = assertThrows(ChainRevertException.class, () -> client.sendAndWait(to, function),
                () -> function.getName() + " did not revert at estimation");
        String revertData = refused.revertData();
        assertNotNull(revertData, "no revert data for " + function.getName());
        assertEquals(selector(errorSignature), revertData.substring(0, Math.min(10, revertData.length())),
                () -> function.getName() + ": expected " + errorSignature + ", got " + refused.getMessage());
        String name = errorSignature.substring(0, errorSignature.indexOf('('));
        assertEquals(name, refused.errorName());
        assertTrue(refused.getMessage().contains(name + "("), refused.getMessage());

        TransactionReceipt receipt = sendUnchecked(from, to, FunctionEncoder.encode(function));
        assertFalse(receipt.isStatusOK(), () -> function.getName() + " was mined successfully, expected a revert");
        TxOutcome outcome = client.outcome(receipt.getTransactionHash()).orElseThrow();
        assertFalse(outcome.success());
        assertTrue(outcome.revertReason().startsWith(name + "("), () -> "replayed reason: " + outcome.revertReason());
        return revertData;
    }

    static String selector(String signature) {
        return Hash.sha3String(signature).substring(0, 10);
    }

    /** Mines call data with a fixed gas limit (no estimation, so a reverting call is sent too). */
    TransactionReceipt sendUnchecked(Credentials from, String to, String data) throws IOException {
        Web3j web3j = as(from).web3j();
        BigInteger gasPrice = web3j.ethGasPrice().send().getGasPrice();
        EthSendTransaction sent = new RawTransactionManager(web3j, from, node.chainId())
                .sendTransaction(gasPrice, FIXED_GAS, to, data, BigInteger.ZERO, false);
        if (sent.hasError()) {
            fail("eth_sendRawTransaction failed: " + sent.getError().getMessage());
        }
        return receipt(sent.getTransactionHash());
    }

    TransactionReceipt receipt(String txHash) throws IOException {
        long deadline = System.nanoTime() + RECEIPT_TIMEOUT.toNanos();
        while (true) {
            Optional<TransactionReceipt> receipt = web3j().ethGetTransactionReceipt(txHash).send().getTransactionReceipt();
            if (receipt.isPresent()) {
                return receipt.get();
            }
            if (System.nanoTime() > deadline) {
                return fail("no receipt for " + txHash + " within " + RECEIPT_TIMEOUT);
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return fail("interrupted while waiting for " + txHash);
            }
        }
    }

    static String lower(Credentials account) {
        return account.getAddress().toLowerCase(Locale.ROOT);
    }

    @Override
    public void close() {
        clients.values().forEach(RegistryClient::close);
    }
}
