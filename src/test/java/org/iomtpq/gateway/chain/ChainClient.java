package org.iomtpq.gateway.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.iomtpq.gateway.testsupport.EthNode;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.FunctionReturnDecoder;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Type;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthCall;
import org.web3j.protocol.core.methods.response.EthSendTransaction;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.RawTransactionManager;
import org.web3j.utils.Numeric;

/**
 * Thin test client over web3j: signs legacy (EIP-155) transactions locally with dev keys, waits for their
 * receipts, and reads custom-error revert data through eth_call. No generated wrappers: the tests exercise
 * the raw ABI the gateway will use, and a wrapper generator would be one more toolchain to pin.
 */
final class ChainClient implements AutoCloseable {

    /** Below Ganache's default block gas limit (6,721,975) and above a batch of 100 registrations. */
    static final BigInteger GAS_LIMIT = BigInteger.valueOf(6_000_000);
    private static final Duration RECEIPT_TIMEOUT = Duration.ofSeconds(30);

    private final EthNode node;
    private final Web3j web3j;
    private final BigInteger gasPrice;

    ChainClient(EthNode node) throws IOException {
        this.node = node;
        this.web3j = Web3j.build(new HttpService(node.rpcUrl()));
        // Read once: Anvil's eth_gasPrice adds the tips recently paid, so asking per transaction and paying
        // more than asked compounds until the dev accounts run dry. Blocks here stay far below the gas
        // target, so the base fee only falls and twice the first price always suffices.
        this.gasPrice = web3j.ethGasPrice().send().getGasPrice().multiply(BigInteger.TWO);
    }

    Web3j web3j() {
        return web3j;
    }

    /** Deploys creation code and returns the receipt (its contract address is set). */
    TransactionReceipt deploy(Credentials from, String bytecode) throws IOException {
        TransactionReceipt receipt = sendRaw(from, "", bytecode, true);
        assertTrue(receipt.isStatusOK(), "deployment reverted");
        assertNotNull(receipt.getContractAddress(), "no contract address in the deployment receipt");
        return receipt;
    }

    /** Sends {@code function} and asserts it succeeded. */
    TransactionReceipt send(Credentials from, String to, Function function) throws IOException {
        TransactionReceipt receipt = sendRaw(from, to, FunctionEncoder.encode(function), false);
        assertTrue(receipt.isStatusOK(), () -> function.getName() + " reverted: " + receipt);
        return receipt;
    }

    /** Calls a view function and decodes its outputs. */
    @SuppressWarnings("rawtypes")
    List<Type> call(String to, Function function) throws IOException {
        EthCall result = web3j.ethCall(
                Transaction.createEthCallTransaction(null, to, FunctionEncoder.encode(function)),
                DefaultBlockParameterName.LATEST).send();
        assertFalse(result.hasError(), () -> function.getName() + " call failed: " + result.getError().getMessage());
        return FunctionReturnDecoder.decode(result.getValue(), function.getOutputParameters());
    }

    /**
     * Asserts that {@code function} from {@code from} reverts with the custom error {@code errorSignature}
     * (e.g. {@code "NotOwner(address)"}): first through eth_call, whose error carries the revert data, then by
     * really sending it and checking the mined receipt failed. Returns the full revert data (selector + args).
     */
    String expectRevert(Credentials from, String to, Function function, String errorSignature) throws IOException {
        String data = FunctionEncoder.encode(function);
        EthCall result = web3j.ethCall(
                Transaction.createEthCallTransaction(from.getAddress(), to, data),
                DefaultBlockParameterName.LATEST).send();
        assertTrue(result.hasError() || result.isReverted(), () -> function.getName() + " did not revert in eth_call");
        String revertData = revertData(result);
        assertEquals(selector(errorSignature), revertData.substring(0, Math.min(10, revertData.length())),
                () -> function.getName() + ": expected " + errorSignature + ", revert data " + revertData);
        TransactionReceipt receipt = sendRaw(from, to, data, false);
        assertFalse(receipt.isStatusOK(), () -> function.getName() + " was mined successfully, expected a revert");
        return revertData;
    }

    /** The 4-byte selector of a function or error signature, as 0x-hex. */
    static String selector(String signature) {
        return Hash.sha3String(signature).substring(0, 10);
    }

    /** Sends raw call data (or creation code when {@code create}) and returns the mined receipt, reverted or not. */
    TransactionReceipt sendRaw(Credentials from, String to, String data, boolean create) throws IOException {
        // A fixed gas limit: estimation would refuse to send a reverting transaction, and gas used does not depend on it.
        RawTransactionManager manager = new RawTransactionManager(web3j, from, node.chainId());
        EthSendTransaction sent = manager.sendTransaction(gasPrice, GAS_LIMIT, to, data, BigInteger.ZERO, create);
        if (sent.hasError()) {
            fail("eth_sendRawTransaction failed: " + sent.getError().getMessage());
        }
        return awaitReceipt(sent.getTransactionHash());
    }

    private TransactionReceipt awaitReceipt(String txHash) throws IOException {
        long deadline = System.nanoTime() + RECEIPT_TIMEOUT.toNanos();
        while (true) {
            Optional<TransactionReceipt> receipt = web3j.ethGetTransactionReceipt(txHash).send().getTransactionReceipt();
            if (receipt.isPresent()) {
                return receipt.get();
            }
            if (System.nanoTime() > deadline) {
                return fail("no receipt for " + txHash + " within " + RECEIPT_TIMEOUT);
            }
            try {
                Thread.sleep(25); // both dev nodes mine at once; the receipt is usually there on the first poll
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return fail("interrupted while waiting for " + txHash);
            }
        }
    }

    /** Revert data from an eth_call error: Anvil and Ganache put the 0x-hex in error.data (Ganache 7 may nest it). */
    private static String revertData(EthCall result) {
        String raw = result.hasError() ? result.getError().getData() : result.getValue();
        assertNotNull(raw, "the node returned no revert data");
        String text = raw.toLowerCase(Locale.ROOT);
        int start = text.indexOf("0x");
        assertTrue(start >= 0, () -> "no hex revert data in " + raw);
        int end = start + 2;
        while (end < text.length() && Character.digit(text.charAt(end), 16) >= 0) {
            end++;
        }
        return Numeric.prependHexPrefix(text.substring(start + 2, end));
    }

    @Override
    public void close() {
        web3j.shutdown();
    }
}
