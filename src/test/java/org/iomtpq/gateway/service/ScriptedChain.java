package org.iomtpq.gateway.service;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

import org.iomtpq.gateway.chain.ChainRevertException;
import org.iomtpq.gateway.chain.ChainUnavailableException;
import org.iomtpq.gateway.chain.NonceConsumedException;
import org.iomtpq.gateway.chain.RegistryTransactions;
import org.iomtpq.gateway.chain.SignedTx;
import org.iomtpq.gateway.chain.TxOutcome;
import org.iomtpq.gateway.protocol.Hex0x;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.generated.Bytes32;

/**
 * A chain for the relay's unit tests: it signs (deterministic fake bytes), keeps a pool of broadcast transactions,
 * mines the whole pool on {@link #mine()}, and reverts (at estimation or when mined) the calls a test names.
 * It remembers every signature and broadcast so a test can say "nothing was signed twice".
 */
final class ScriptedChain implements RegistryTransactions {

    /** A transaction the chain was asked to sign: what it calls and for which device id hashes. */
    record Signed(SignedTx tx, String function, List<String> deviceIdHashes) {
    }

    final List<Signed> signed = new ArrayList<>();
    final List<String> broadcasts = new ArrayList<>();
    final Map<String, SignedTx> pool = new LinkedHashMap<>();
    final Map<String, TxOutcome> mined = new LinkedHashMap<>();
    final Set<Long> usedNonces = new HashSet<>();
    Predicate<Signed> revertsAtEstimate = s -> false;
    Predicate<Signed> revertsWhenMined = s -> false;
    boolean down;
    /** Runs at each signature, inside the relay's round: what a test makes happen while a round is under way. */
    Runnable whileSigning = () -> { };
    private long block = 1;

    @Override
    public long nextNonce() {
        checkUp();
        return usedNonces.stream().mapToLong(n -> n + 1).max().orElse(0);
    }

    @Override
    public SignedTx sign(Function call, long nonce) {
        checkUp();
        whileSigning.run();
        Signed s = new Signed(new SignedTx(nonce, "0xraw" + signed.size(), "0xhash" + signed.size()), call.getName(),
                deviceIdHashes(call));
        if (revertsAtEstimate.test(s)) {
            throw new ChainRevertException(call.getName(), "0x");
        }
        signed.add(s);
        return s.tx();
    }

    @Override
    public void broadcast(SignedTx tx) {
        checkUp();
        broadcasts.add(tx.txHash());
        if (mined.containsKey(tx.txHash()) || pool.containsKey(tx.txHash())) {
            return;
        }
        if (usedNonces.contains(tx.nonce())) {
            throw new NonceConsumedException("nonce " + tx.nonce() + " used");
        }
        pool.put(tx.txHash(), tx);
        usedNonces.add(tx.nonce());
    }

    @Override
    public Optional<TxOutcome> outcome(String txHash) {
        checkUp();
        return Optional.ofNullable(mined.get(txHash));
    }

    /** Mines everything in the pool into one block. */
    void mine() {
        block++;
        for (SignedTx tx : pool.values()) {
            Signed s = signed.stream().filter(x -> x.tx().txHash().equals(tx.txHash())).findFirst().orElse(null);
            boolean reverts = s != null && revertsWhenMined.test(s);
            mined.put(tx.txHash(), new TxOutcome(!reverts, block, 21_000, reverts ? "DeviceAlreadyActive" : null));
        }
        pool.clear();
    }

    /** The node forgets its pool (restarted without it): only re-broadcasts bring the transactions back. */
    void forgetPool() {
        pool.values().forEach(tx -> usedNonces.remove(tx.nonce()));
        pool.clear();
    }

    List<Signed> signedCalls(String function) {
        return signed.stream().filter(s -> s.function().equals(function)).toList();
    }

    private void checkUp() {
        if (down) {
            throw new ChainUnavailableException("node down");
        }
    }

    @SuppressWarnings("rawtypes")
    private static List<String> deviceIdHashes(Function call) {
        Type first = call.getInputParameters().get(0);
        if (first instanceof DynamicArray<?> array) {
            return array.getValue().stream().map(b -> Hex0x.encode(((Bytes32) b).getValue())).toList();
        }
        return first instanceof Bytes32 b ? List.of(Hex0x.encode(b.getValue())) : List.of();
    }
}
