package org.iomtpq.gateway.chain;

import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.iomtpq.gateway.config.GatewaySettings;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.FunctionReturnDecoder;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Type;
import org.web3j.crypto.Hash;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthCall;
import org.web3j.protocol.core.methods.response.EthEstimateGas;
import org.web3j.protocol.core.methods.response.EthSendTransaction;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.protocol.http.HttpService;
import org.web3j.utils.Numeric;

/**
 * The gateway's connection to the key registry: reads, and writes split into {@link #sign} (persist the result)
 * and {@link #broadcast} (idempotent), so a restart never sends a different transaction for the same nonce.
 * Transactions are legacy EIP-155 (type 0): both Anvil and Ganache 7.9 accept them, and the price is the node's
 * eth_gasPrice as is (paying more on Anvil raises its next suggestion, which then compounds). One instance per
 * process; thread-safe (web3j's HTTP service is; the admin helpers that pick their own nonce are synchronized).
 */
public final class RegistryClient implements RegistryTransactions, AutoCloseable {

    private static final Duration WAIT_TIMEOUT = Duration.ofMinutes(2);

    private final ChainSettings settings;
    private final EthAccount account;
    private final Web3j web3j;
    private volatile boolean chainVerified;

    /**
     * Connects lazily: nothing is sent until the first call, which (like every call until one succeeds) refuses a node
     * on another chain than {@code settings.chainId()} with {@link IllegalStateException}; a node that is down is
     * retried on every call. The gateway's own start-up checks are {@code service.ChainStartupCheck}'s.
     */
    public RegistryClient(ChainSettings settings, EthAccount account) {
        this.settings = settings;
        this.account = account;
        OkHttpClient http = new OkHttpClient.Builder().connectTimeout(5, TimeUnit.SECONDS)
                .readTimeout(30, TimeUnit.SECONDS).writeTimeout(30, TimeUnit.SECONDS).build();
        ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "web3j-poll");
            t.setDaemon(true);
            return t;
        });
        // The client's own polling interval: web3j's default (15 s) made events arrive 7-15 s late (PITFALLS.md).
        this.web3j = Web3j.build(new HttpService(settings.rpcUrl(), http), settings.pollInterval().toMillis(), poller);
    }

    /**
     * The client for the chain, registry and account the settings name ({@link ChainSettings#from},
     * {@link EthAccount#fromSettings}). Nothing is sent yet.
     *
     * @throws IllegalArgumentException or {@link IllegalStateException} naming the setting that is wrong
     */
    public static RegistryClient fromSettings(GatewaySettings s) {
        ChainSettings chain = ChainSettings.from(s);
        return new RegistryClient(chain, EthAccount.fromSettings(s, EthAccount.isEmbeddedProfile(chain)));
    }

    /** The web3j instance (a Camel route may bind it as its web3j bean so both share one HTTP client and poller). */
    public Web3j web3j() {
        return web3j;
    }

    public ChainSettings settings() {
        return settings;
    }

    public EthAccount account() {
        return account;
    }

    // ---- reads

    @SuppressWarnings("rawtypes")
    public DeviceKey getDeviceKey(byte[] deviceIdHash) {
        List<Type> out = call(settings.requireRegistry(), RegistryContract.getDeviceKey(deviceIdHash));
        return new DeviceKey((byte[]) out.get(0).getValue(), (Boolean) out.get(1).getValue());
    }

    @SuppressWarnings("rawtypes")
    public GatewayKey gatewayKey(String address) {
        List<Type> out = call(settings.requireRegistry(), RegistryContract.gatewayKey(address));
        return new GatewayKey((byte[]) out.get(0).getValue(), (Boolean) out.get(1).getValue());
    }

    /** Calls a view function of the contract at {@code to} (latest block) and decodes its outputs. */
    @SuppressWarnings("rawtypes")
    public List<Type> call(String to, Function view) {
        verifyChain();
        EthCall result = NodeErrors.send(settings.rpcUrl(), web3j.ethCall(
                Transaction.createEthCallTransaction(account.address(), to, FunctionEncoder.encode(view)),
                DefaultBlockParameterName.LATEST));
        if (result.hasError()) {
            if (RevertDecoder.isRevert(result.getError())) {
                throw new ChainRevertException(view.getName(), RevertDecoder.revertData(result.getError()));
            }
            throw new ChainUnavailableException(view.getName() + " failed: " + result.getError().getMessage());
        }
        List<Type> out = FunctionReturnDecoder.decode(result.getValue(), view.getOutputParameters());
        if (out.size() != view.getOutputParameters().size()) {
            throw new IllegalStateException("no registry contract answers at " + to + " on chain " + settings.chainId()
                    + " (" + view.getName() + " returned " + result.getValue() + "): check iomt.registry.address");
        }
        return out;
    }

    /** eth_getCode(address, latest) is not empty: a contract lives there. */
    public boolean hasCode(String address) {
        verifyChain();
        String code = NodeErrors.sendOk(settings.rpcUrl(), web3j.ethGetCode(address, DefaultBlockParameterName.LATEST)).getCode();
        return code != null && !code.isEmpty() && !code.equals("0x");
    }

    public long blockNumber() {
        verifyChain();
        return NodeErrors.sendOk(settings.rpcUrl(), web3j.ethBlockNumber()).getBlockNumber().longValueExact();
    }

    /** eth_chainId of the node (no check against the settings). */
    public long chainId() {
        return NodeErrors.sendOk(settings.rpcUrl(), web3j.ethChainId()).getChainId().longValueExact();
    }

    /** A nonce read and a transaction signed locally and thrown away: nothing is sent. */
    @Override
    public void warmUp() {
        try {
            nextNonce();
            Function probe = new Function("warmUp", List.of(), List.of());
            RawTransaction raw = RawTransaction.createTransaction(BigInteger.ZERO, BigInteger.ONE, BigInteger.valueOf(21_000),
                    account.address(), BigInteger.ZERO, FunctionEncoder.encode(probe));
            Hash.sha3(Numeric.toHexString(TransactionEncoder.signMessage(raw, settings.chainId(), account.credentials())));
        } catch (RuntimeException e) {
            // the first real round meets the same problem and reports it
        }
    }

    /** eth_getTransactionCount(address, "pending"): the next nonce as the node sees it. */
    @Override
    public long nextNonce() {
        verifyChain();
        return NodeErrors.sendOk(settings.rpcUrl(), web3j.ethGetTransactionCount(account.address(),
                DefaultBlockParameterName.PENDING)).getTransactionCount().longValueExact();
    }

    // ---- writes

    /**
     * Signs {@code call} to the registry with {@code nonce}; nothing is sent. Gas limit: eth_estimateGas × 1.25;
     * gas price: eth_gasPrice.
     *
     * @throws ChainRevertException when the estimation reverts (the message names the custom error)
     */
    @Override
    public SignedTx sign(Function call, long nonce) {
        return signData(settings.requireRegistry(), FunctionEncoder.encode(call), nonce, call.getName());
    }

    /** Signs call data to {@code to} (null: contract creation with {@code data} as init code). */
    SignedTx signData(String to, String data, long nonce, String what) {
        verifyChain();
        Transaction estimateTx = to == null
                ? Transaction.createContractTransaction(account.address(), null, null, data)
                : Transaction.createEthCallTransaction(account.address(), to, data);
        EthEstimateGas estimate = NodeErrors.send(settings.rpcUrl(), web3j.ethEstimateGas(estimateTx));
        if (estimate.hasError()) {
            if (RevertDecoder.isRevert(estimate.getError())) {
                throw new ChainRevertException(what, RevertDecoder.revertData(estimate.getError()));
            }
            throw new ChainUnavailableException("eth_estimateGas for " + what + " failed: " + estimate.getError().getMessage());
        }
        BigInteger gasLimit = estimate.getAmountUsed().multiply(BigInteger.valueOf(5)).add(BigInteger.valueOf(3))
                .divide(BigInteger.valueOf(4));
        BigInteger gasPrice = NodeErrors.sendOk(settings.rpcUrl(), web3j.ethGasPrice()).getGasPrice();
        RawTransaction raw = to == null
                ? RawTransaction.createContractTransaction(BigInteger.valueOf(nonce), gasPrice, gasLimit, BigInteger.ZERO, data)
                : RawTransaction.createTransaction(BigInteger.valueOf(nonce), gasPrice, gasLimit, to, BigInteger.ZERO, data);
        String rawHex = Numeric.toHexString(TransactionEncoder.signMessage(raw, settings.chainId(), account.credentials()));
        return new SignedTx(nonce, rawHex, Hash.sha3(rawHex).toLowerCase(Locale.ROOT));
    }

    /**
     * eth_sendRawTransaction, idempotent: a transaction the node already knows (pending or mined) is not sent again,
     * "already known" is success, and so is "nonce too low" when the node knows this very transaction.
     *
     * @throws NonceConsumedException    the nonce went to ANOTHER transaction: re-sign with a fresh nonce
     * @throws ChainUnavailableException the node is unreachable or refused for another reason (retry later)
     */
    @Override
    public void broadcast(SignedTx tx) {
        verifyChain();
        if (isKnown(tx.txHash())) {
            // Never resend a transaction the node already has: Ganache 7.9 re-executes an already mined nonce-0
            // transaction (a second, reverting copy with the same hash), so node-side replay protection is not enough.
            return;
        }
        EthSendTransaction sent = NodeErrors.send(settings.rpcUrl(), web3j.ethSendRawTransaction(tx.rawTxHex()));
        if (!sent.hasError()) {
            return;
        }
        switch (NodeErrors.classify(sent.getError())) {
            case ALREADY_KNOWN -> {
                return;
            }
            case NONCE_USED -> {
                if (isKnown(tx.txHash())) {
                    return;
                }
                throw new NonceConsumedException("nonce " + tx.nonce() + " of " + account.address()
                        + " was used by another transaction; " + tx.txHash() + " can never be mined");
            }
            default -> throw new ChainUnavailableException("node refused " + tx.txHash() + " (nonce " + tx.nonce() + "): "
                    + sent.getError().getMessage());
        }
    }

    /**
     * The outcome once the transaction is mined and {@code confirmations} deep (its own block counts as one);
     * empty before. A failed transaction's reason comes from replaying it with eth_call at its block.
     */
    @Override
    public Optional<TxOutcome> outcome(String txHash) {
        return confirmedReceipt(txHash).map(receipt -> {
            long block = receipt.getBlockNumber().longValueExact();
            long gasUsed = receipt.getGasUsed().longValueExact();
            return receipt.isStatusOK() ? new TxOutcome(true, block, gasUsed, null)
                    : new TxOutcome(false, block, gasUsed, RevertReplay.reason(this, txHash, block));
        });
    }

    private Optional<TransactionReceipt> confirmedReceipt(String txHash) {
        verifyChain();
        Optional<TransactionReceipt> receipt = NodeErrors.sendOk(settings.rpcUrl(),
                web3j.ethGetTransactionReceipt(txHash)).getTransactionReceipt();
        if (receipt.isEmpty() || receipt.get().getBlockNumberRaw() == null) {
            return Optional.empty();
        }
        long depth = blockNumber() - receipt.get().getBlockNumber().longValueExact() + 1;
        return depth >= settings.confirmations() ? receipt : Optional.empty();
    }

    private boolean isKnown(String txHash) {
        return NodeErrors.sendOk(settings.rpcUrl(), web3j.ethGetTransactionByHash(txHash)).getTransaction().isPresent();
    }

    // ---- admin conveniences (deploy-registry, gas-report, tests): pick the nonce, wait for the outcome

    /** Deploys the registry (no constructor arguments) and returns its address once confirmed. */
    public String deploy() {
        return deploy(ContractArtifact.load(ContractArtifact.REGISTRY), "").address();
    }

    /** Deploys {@code artifact} with ABI-encoded constructor arguments ({@code ""} for none); waits for confirmation. */
    public synchronized DeployedContract deploy(ContractArtifact artifact, String constructorArgsHex) {
        return AdminTransactions.deploy(this, artifact, constructorArgsHex, WAIT_TIMEOUT);
    }

    /** Sends {@code call} to the registry and waits (up to 2 minutes) for its confirmed outcome. */
    public TxOutcome sendAndWait(Function call) {
        return sendAndWait(settings.requireRegistry(), call);
    }

    /**
     * Sends {@code call} to the contract at {@code to} with the node's pending nonce and waits for its confirmed
     * outcome. Not for use alongside a relay that manages this account's nonces.
     *
     * @throws ChainRevertException when the estimation already reverts (nothing is sent)
     */
    public TxOutcome sendAndWait(String to, Function call) {
        return submitAndWait(to, call).outcome();
    }

    synchronized AdminTransactions.Sent submitAndWait(String to, Function call) {
        return AdminTransactions.send(this, to, call, WAIT_TIMEOUT);
    }

    /** The receipt once {@code confirmations} deep; package-private for {@link AdminTransactions}. */
    Optional<TransactionReceipt> confirmed(String txHash) {
        return confirmedReceipt(txHash);
    }

    private void verifyChain() {
        if (chainVerified) {
            return;
        }
        long actual = chainId();
        if (actual != settings.chainId()) {
            throw new IllegalStateException("Ethereum node " + settings.rpcUrl() + " is on chain id " + actual
                    + " but iomt.chain-id is " + settings.chainId() + ": refusing to sign for the wrong chain");
        }
        chainVerified = true;
    }

    @Override
    public void close() {
        web3j.shutdown();
    }
}
