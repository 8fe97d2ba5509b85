package org.iomtpq.gateway.protocol;

import java.util.Arrays;
import java.util.Objects;

/** {@code established} (§5 step 4); the session id is copied in and out. */
public record EstablishedMessage(String deviceId, byte[] sessionId) {
    public EstablishedMessage {
        Objects.requireNonNull(deviceId, "deviceId");
        sessionId = Bytes.copy(sessionId, "sessionId");
    }

    @Override public byte[] sessionId() { return sessionId.clone(); }

    @Override
    public boolean equals(Object o) {
        return o instanceof EstablishedMessage m && deviceId.equals(m.deviceId) && Arrays.equals(sessionId, m.sessionId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(deviceId, Arrays.hashCode(sessionId));
    }

    @Override
    public String toString() {
        return "EstablishedMessage[deviceId=" + deviceId + "]";
    }
}
