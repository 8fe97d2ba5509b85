package org.iomtpq.gateway.simulator;

import org.iomtpq.gateway.protocol.ErrorMessage;

/** The gateway answered a device message with an error (PROTOCOL.md §8). */
public final class GatewayRejection extends RuntimeException {

    private final transient ErrorMessage error;

    public GatewayRejection(ErrorMessage error) {
        super(error.code() + ": " + error.message());
        this.error = error;
    }

    public ErrorMessage error() {
        return error;
    }
}
