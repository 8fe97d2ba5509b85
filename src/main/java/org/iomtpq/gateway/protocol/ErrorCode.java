package org.iomtpq.gateway.protocol;

import java.util.Optional;

/** The error codes of PROTOCOL.md §8, each with the HTTP status the gateway answers with. */
public enum ErrorCode {
    MALFORMED_REQUEST(400),
    INVALID_KEY(400),
    INVALID_SIGNATURE(400),
    STALE_REQUEST(400),
    UNAUTHORIZED(401),
    FORBIDDEN(403),
    UNKNOWN_DEVICE(404),
    ALREADY_ENROLLED(409),
    PAYLOAD_TOO_LARGE(413),
    UNAVAILABLE(503),
    DEVICE_NOT_ACTIVE(409),
    DEVICE_REVOKED(403),
    UNKNOWN_SESSION(404),
    SESSION_EXPIRED(401),
    HANDSHAKE_FAILED(401),
    DECRYPT_FAILED(400),
    REPLAY(409),
    VALIDATION_FAILED(422),
    RATE_LIMITED(429);

    private final int httpStatus;

    ErrorCode(int httpStatus) {
        this.httpStatus = httpStatus;
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** The code as it appears in the {@code "code"} field: the constant's name. */
    public String wire() {
        return name();
    }

    public static Optional<ErrorCode> fromWire(String wire) {
        if (wire == null) {
            return Optional.empty();
        }
        for (ErrorCode code : values()) {
            if (code.name().equals(wire)) {
                return Optional.of(code);
            }
        }
        return Optional.empty();
    }
}
