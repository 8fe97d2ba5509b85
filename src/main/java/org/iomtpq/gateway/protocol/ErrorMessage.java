package org.iomtpq.gateway.protocol;

import java.util.Objects;

/**
 * {@code error} (§8). {@code inReplyTo} is the step's wire name, or {@code null} for endpoints that are not a device
 * step (then the field is omitted on the wire); {@code seq} is set only for telemetry whose seq could be read.
 */
public record ErrorMessage(ErrorCode code, String message, String inReplyTo, Long seq) {
    public ErrorMessage {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
    }

    /** The answer to a rejection; {@code step} may be null. */
    public static ErrorMessage of(ProtocolException e, Step step) {
        return new ErrorMessage(e.code(), e.getMessage(), step == null ? null : step.wire(), e.seq());
    }
}
