package org.iomtpq.gateway.chain;

import java.util.Optional;

import org.web3j.abi.datatypes.Function;

/**
 * What the outbox relay needs from the registry's chain to send transactions with its own nonces: sign without
 * sending, broadcast idempotently, read the outcome. {@link RegistryClient} is the real one; the relay's unit tests
 * use a scripted chain.
 */
public interface RegistryTransactions {

    /**
     * Once, before the relay's first round that may send: pays what only the first transaction costs (class loading
     * of signing and encoding, the node's connection), so that it is not an answer waiting for its txHash that pays
     * it. Must not send or change anything; failures are ignored.
     */
    default void warmUp() {
    }

    /** The next nonce of the gateway account as the node sees it (pending transactions included). */
    long nextNonce();

    /**
     * Signs {@code call} to the registry with {@code nonce}; nothing is sent.
     *
     * @throws ChainRevertException when the call would revert now (nothing is signed)
     */
    SignedTx sign(Function call, long nonce);

    /**
     * Sends the stored bytes; sending the same transaction again is harmless.
     *
     * @throws NonceConsumedException    the nonce went to another transaction: this one can never be mined
     * @throws ChainUnavailableException the node is unreachable or refused for another reason
     */
    void broadcast(SignedTx tx);

    /** The outcome once mined (and deep enough); empty before. */
    Optional<TxOutcome> outcome(String txHash);
}
