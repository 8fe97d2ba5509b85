package org.iomtpq.gateway.protocol;

import java.util.Objects;

/**
 * An established session on the device (device SDK). {@link #seal(Reading)} numbers messages 1, 2, 3, …
 * and refuses to exceed {@code maxMessages}; the keys are destroyed by {@link #destroy()}.
 */
public final class DeviceSession {
    private final String deviceId;
    private final byte[] sessionId;
    private final String expiresAt;
    private final long maxMessages;
    private final SessionKeys keys;
    private long lastSeq;
    private volatile TelemetryProtection protection = TelemetryProtection.AES_256_GCM;

    DeviceSession(String deviceId, byte[] sessionId, String expiresAt, long maxMessages, SessionKeys keys) {
        this.deviceId = Objects.requireNonNull(deviceId, "deviceId");
        this.sessionId = sessionId.clone();
        this.expiresAt = Objects.requireNonNull(expiresAt, "expiresAt");
        this.maxMessages = maxMessages;
        this.keys = Objects.requireNonNull(keys, "keys");
        // Only the telemetry key is needed from here on.
        keys.deviceFinished().destroy();
        keys.gatewayFinished().destroy();
    }

    public String deviceId() {
        return deviceId;
    }

    public byte[] sessionId() {
        return sessionId.clone();
    }

    public String expiresAt() {
        return expiresAt;
    }

    public long maxMessages() {
        return maxMessages;
    }

    /** The seq the last {@link #seal(Reading)} used (0 before the first). */
    public synchronized long lastSeq() {
        return lastSeq;
    }

    /** Seals the next reading; {@code SESSION_EXPIRED} once {@code maxMessages} have been sent. */
    public synchronized TelemetryMessage seal(Reading reading) {
        if (lastSeq >= maxMessages) {
            throw new ProtocolException(ErrorCode.SESSION_EXPIRED, "session message budget used up: handshake again");
        }
        lastSeq++;
        return seal(lastSeq, reading.toJsonBytes());
    }

    /** Seals arbitrary bytes under an arbitrary seq: for tests (replays, bad plaintexts). */
    public TelemetryMessage seal(long seq, byte[] plaintext) {
        byte[] ciphertext = protection.seal(keys.deviceToGateway(), deviceId, sessionId, seq, plaintext);
        return new TelemetryMessage(deviceId, sessionId, seq, ciphertext);
    }

    /** Load harness only: send readings unencrypted to a gateway started for the "unsecured" comparison. */
    public void protectWith(TelemetryProtection protection) {
        this.protection = java.util.Objects.requireNonNull(protection, "protection");
    }

    public void destroy() {
        keys.destroy();
    }

    @Override
    public String toString() {
        return "DeviceSession[deviceId=" + deviceId + ", expiresAt=" + expiresAt + ", lastSeq=" + lastSeq + "]";
    }
}
