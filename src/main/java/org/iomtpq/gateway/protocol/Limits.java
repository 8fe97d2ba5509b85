package org.iomtpq.gateway.protocol;

import java.time.Duration;

/** Numeric limits fixed by the protocol (§0, §4, §5, §6). */
public final class Limits {
    /** Bodies and MQTT payloads above this size are {@code PAYLOAD_TOO_LARGE}, checked before parsing. */
    public static final int MAX_MESSAGE_BYTES = 64 * 1024;
    /** Allowed |now - timestamp| for enroll and rotate. */
    public static final Duration TIMESTAMP_SKEW = Duration.ofSeconds(300);
    /** How long the gateway keeps a handshake between server-hello and finished. */
    public static final Duration PENDING_HANDSHAKE_TTL = Duration.ofSeconds(30);
    /** A telemetry seq at or below (highest stored - REPLAY_WINDOW) is a replay. */
    public static final int REPLAY_WINDOW = 64;
    /**
     * Largest seq / maxMessages: 2^53 - 1, so every JSON implementation (including those that hold
     * numbers as IEEE doubles) reads the value exactly.
     */
    public static final long MAX_MESSAGES_CAP = (1L << 53) - 1;
    /** §5 defaults. */
    public static final Duration DEFAULT_SESSION_TTL = Duration.ofHours(24);
    public static final long DEFAULT_MAX_MESSAGES = 1_000_000L;

    private Limits() {
    }
}
