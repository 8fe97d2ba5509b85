package org.iomtpq.gateway.crypto;

/**
 * Key material (or a ciphertext bound to a key) was rejected: wrong length, failed FIPS 203 §7.2/§7.3
 * check, or bad encoding. The protocol maps this to {@code INVALID_KEY}. Messages never contain key bytes.
 */
public final class InvalidKeyMaterialException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InvalidKeyMaterialException(String message) {
        super(message);
    }
}
