package org.iomtpq.gateway.chain;

/** The Ethereum node cannot be reached (connection refused, timeout, HTTP error) or gave no usable answer. Retry later: nothing about the transaction is known to have failed. */
public final class ChainUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ChainUnavailableException(String message) {
        super(message);
    }

    public ChainUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
