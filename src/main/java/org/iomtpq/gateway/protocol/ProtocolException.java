package org.iomtpq.gateway.protocol;

import java.util.Objects;

/**
 * A rejection the gateway answers with an {@code error} message (§8).
 *
 * <p>The message is sent to the peer verbatim, so it must be human readable and must never contain
 * key material, vital signs or another device's data. Callers build messages from constants and from
 * the caller's own identifiers only.
 */
public final class ProtocolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final Long seq;

    public ProtocolException(ErrorCode code, String message) {
        this(code, message, null, null);
    }

    public ProtocolException(ErrorCode code, String message, Throwable cause) {
        this(code, message, null, cause);
    }

    private ProtocolException(ErrorCode code, String message, Long seq, Throwable cause) {
        super(Objects.requireNonNull(message, "message"), cause);
        this.code = Objects.requireNonNull(code, "code");
        this.seq = seq;
    }

    public ErrorCode code() {
        return code;
    }

    /** The telemetry {@code seq} this rejection refers to, or {@code null} when unknown or not telemetry. */
    public Long seq() {
        return seq;
    }

    /** A copy carrying the telemetry {@code seq}, for the §8 {@code "seq"} field. */
    public ProtocolException withSeq(long telemetrySeq) {
        ProtocolException copy = new ProtocolException(code, getMessage(), telemetrySeq, getCause());
        copy.setStackTrace(getStackTrace());
        return copy;
    }

    public static ProtocolException malformed(String message) {
        return new ProtocolException(ErrorCode.MALFORMED_REQUEST, message);
    }

    public static ProtocolException invalidKey(String message) {
        return new ProtocolException(ErrorCode.INVALID_KEY, message);
    }

    public static ProtocolException invalidSignature(String message) {
        return new ProtocolException(ErrorCode.INVALID_SIGNATURE, message);
    }

    public static ProtocolException stale(String message) {
        return new ProtocolException(ErrorCode.STALE_REQUEST, message);
    }

    public static ProtocolException handshakeFailed(String message) {
        return new ProtocolException(ErrorCode.HANDSHAKE_FAILED, message);
    }

    public static ProtocolException decryptFailed(String message) {
        return new ProtocolException(ErrorCode.DECRYPT_FAILED, message);
    }

    public static ProtocolException validationFailed(String message) {
        return new ProtocolException(ErrorCode.VALIDATION_FAILED, message);
    }

    public static ProtocolException tooLarge(String message) {
        return new ProtocolException(ErrorCode.PAYLOAD_TOO_LARGE, message);
    }

    @Override
    public String toString() {
        return "ProtocolException[" + code + (seq == null ? "" : ", seq=" + seq) + "]: " + getMessage();
    }
}
