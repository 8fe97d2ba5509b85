package org.iomtpq.gateway.embedded;

/** An embedded service (MQTT broker, MongoDB) could not start; the message says which and where. */
public final class EmbeddedStartException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public EmbeddedStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
