package org.iomtpq.gateway.protocol;

import java.util.Arrays;
import java.util.Objects;

/** {@code server-hello} (§5 step 2). {@code nonce} is nonceG; byte arrays are copied in and out. */
public record ServerHelloMessage(String deviceId, String gatewayId, byte[] sessionId, byte[] nonce,
                                 String expiresAt, long maxMessages, byte[] staticCiphertext,
                                 byte[] ephemeralCiphertext, byte[] mac) {
    public ServerHelloMessage {
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(gatewayId, "gatewayId");
        Objects.requireNonNull(expiresAt, "expiresAt");
        sessionId = Bytes.copy(sessionId, "sessionId");
        nonce = Bytes.copy(nonce, "nonce");
        staticCiphertext = Bytes.copy(staticCiphertext, "staticCiphertext");
        ephemeralCiphertext = Bytes.copy(ephemeralCiphertext, "ephemeralCiphertext");
        mac = Bytes.copy(mac, "mac");
    }

    @Override public byte[] sessionId() { return sessionId.clone(); }
    @Override public byte[] nonce() { return nonce.clone(); }
    @Override public byte[] staticCiphertext() { return staticCiphertext.clone(); }
    @Override public byte[] ephemeralCiphertext() { return ephemeralCiphertext.clone(); }
    @Override public byte[] mac() { return mac.clone(); }

    /** Alias of {@link #nonce()} (nonceG, 32 bytes). */
    public byte[] nonce32() { return nonce(); }

    /** Alias of {@link #sessionId()} (16 bytes). */
    public byte[] sessionId16() { return sessionId(); }

    @Override
    public boolean equals(Object o) {
        return o instanceof ServerHelloMessage m && deviceId.equals(m.deviceId) && gatewayId.equals(m.gatewayId)
                && Arrays.equals(sessionId, m.sessionId) && Arrays.equals(nonce, m.nonce)
                && expiresAt.equals(m.expiresAt) && maxMessages == m.maxMessages
                && Arrays.equals(staticCiphertext, m.staticCiphertext)
                && Arrays.equals(ephemeralCiphertext, m.ephemeralCiphertext) && Arrays.equals(mac, m.mac);
    }

    @Override
    public int hashCode() {
        return Objects.hash(deviceId, gatewayId, expiresAt, maxMessages, Arrays.hashCode(sessionId),
                Arrays.hashCode(nonce), Arrays.hashCode(staticCiphertext), Arrays.hashCode(ephemeralCiphertext),
                Arrays.hashCode(mac));
    }

    @Override
    public String toString() {
        return "ServerHelloMessage[deviceId=" + deviceId + ", gatewayId=" + gatewayId + ", expiresAt=" + expiresAt
                + ", maxMessages=" + maxMessages + "]";
    }
}
