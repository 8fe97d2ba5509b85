package org.iomtpq.gateway.crypto;

/**
 * AEAD decryption failed (wrong key, nonce, associated data, or tampered ciphertext/tag).
 * Checked on purpose: every caller must decide what a forgery means for it (e.g. {@code DECRYPT_FAILED}).
 * The message never says which of the inputs was wrong: AEAD cannot tell, and guessing would help attackers.
 */
public final class AeadFailureException extends Exception {
    private static final long serialVersionUID = 1L;

    public AeadFailureException(String message) {
        super(message);
    }
}
