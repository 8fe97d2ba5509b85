package org.iomtpq.gateway.crypto;

/** A cryptographic operation failed for a reason other than bad input key material. */
public final class CryptoException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CryptoException(String message) {
        super(message);
    }

    public CryptoException(String message, Throwable cause) {
        super(message, cause);
    }
}
