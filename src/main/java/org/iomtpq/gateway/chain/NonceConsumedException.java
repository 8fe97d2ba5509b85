package org.iomtpq.gateway.chain;

/** The nonce of a signed transaction was used by ANOTHER transaction: this one can never be mined. The caller must re-sign the call with a fresh nonce (and check first whether its effect already happened). */
public final class NonceConsumedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public NonceConsumedException(String message) {
        super(message);
    }

    public NonceConsumedException(String message, Throwable cause) {
        super(message, cause);
    }
}
