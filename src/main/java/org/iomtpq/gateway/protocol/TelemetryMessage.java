package org.iomtpq.gateway.protocol;

import java.util.Arrays;
import java.util.Objects;

/** {@code telemetry} (§6). {@code ciphertext} is C||T (GCM tag appended); byte arrays are copied in and out. */
public record TelemetryMessage(String deviceId, byte[] sessionId, long seq, byte[] ciphertext) {
    public TelemetryMessage {
        Objects.requireNonNull(deviceId, "deviceId");
        sessionId = Bytes.copy(sessionId, "sessionId");
        ciphertext = Bytes.copy(ciphertext, "ciphertext");
    }

    @Override public byte[] sessionId() { return sessionId.clone(); }
    @Override public byte[] ciphertext() { return ciphertext.clone(); }

    @Override
    public boolean equals(Object o) {
        return o instanceof TelemetryMessage m && deviceId.equals(m.deviceId) && seq == m.seq
                && Arrays.equals(sessionId, m.sessionId) && Arrays.equals(ciphertext, m.ciphertext);
    }

    @Override
    public int hashCode() {
        return Objects.hash(deviceId, seq, Arrays.hashCode(sessionId), Arrays.hashCode(ciphertext));
    }

    @Override
    public String toString() {
        return "TelemetryMessage[deviceId=" + deviceId + ", seq=" + seq + ", ciphertext=" + ciphertext.length + " B]";
    }
}
