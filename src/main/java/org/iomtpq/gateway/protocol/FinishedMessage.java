package org.iomtpq.gateway.protocol;

import java.util.Arrays;
import java.util.Objects;

/** {@code finished} (§5 step 3); byte arrays are copied in and out. */
public record FinishedMessage(String deviceId, byte[] sessionId, byte[] mac) {
    public FinishedMessage {
        Objects.requireNonNull(deviceId, "deviceId");
        sessionId = Bytes.copy(sessionId, "sessionId");
        mac = Bytes.copy(mac, "mac");
    }

    @Override public byte[] sessionId() { return sessionId.clone(); }
    @Override public byte[] mac() { return mac.clone(); }

    @Override
    public boolean equals(Object o) {
        return o instanceof FinishedMessage m && deviceId.equals(m.deviceId)
                && Arrays.equals(sessionId, m.sessionId) && Arrays.equals(mac, m.mac);
    }

    @Override
    public int hashCode() {
        return Objects.hash(deviceId, Arrays.hashCode(sessionId), Arrays.hashCode(mac));
    }

    @Override
    public String toString() {
        return "FinishedMessage[deviceId=" + deviceId + "]";
    }
}
