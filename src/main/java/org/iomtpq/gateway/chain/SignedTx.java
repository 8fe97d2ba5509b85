package org.iomtpq.gateway.chain;

import java.util.Objects;

/**
 * A signed transaction not necessarily broadcast yet. Persist it before {@link RegistryClient#broadcast}: the
 * same bytes can be broadcast any number of times (after a restart too) and are mined at most once.
 *
 * @param nonce    the sender nonce it consumes
 * @param rawTxHex the signed RLP as 0x-hex, what eth_sendRawTransaction takes
 * @param txHash   keccak256 of the raw bytes, 0x-hex lowercase: known before broadcasting
 */
public record SignedTx(long nonce, String rawTxHex, String txHash) {

    public SignedTx {
        Objects.requireNonNull(rawTxHex, "rawTxHex");
        Objects.requireNonNull(txHash, "txHash");
        if (nonce < 0) {
            throw new IllegalArgumentException("negative nonce");
        }
    }
}
