package org.iomtpq.gateway.protocol;

import java.util.Arrays;
import java.util.Objects;

/** {@code hello} (§5 step 1). {@code nonce} is nonceD; byte arrays are copied in and out. */
public record HelloMessage(String deviceId, String gatewayId, String suite, byte[] nonce,
                           byte[] ephemeralKemPublicKey, byte[] gatewayCiphertext) {
    public HelloMessage {
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(gatewayId, "gatewayId");
        Objects.requireNonNull(suite, "suite");
        nonce = Bytes.copy(nonce, "nonce");
        ephemeralKemPublicKey = Bytes.copy(ephemeralKemPublicKey, "ephemeralKemPublicKey");
        gatewayCiphertext = Bytes.copy(gatewayCiphertext, "gatewayCiphertext");
    }

    @Override public byte[] nonce() { return nonce.clone(); }
    @Override public byte[] ephemeralKemPublicKey() { return ephemeralKemPublicKey.clone(); }
    @Override public byte[] gatewayCiphertext() { return gatewayCiphertext.clone(); }

    /** Alias of {@link #nonce()} (nonceD, 32 bytes). */
    public byte[] nonce32() { return nonce(); }

    @Override
    public boolean equals(Object o) {
        return o instanceof HelloMessage m && deviceId.equals(m.deviceId) && gatewayId.equals(m.gatewayId)
                && suite.equals(m.suite) && Arrays.equals(nonce, m.nonce)
                && Arrays.equals(ephemeralKemPublicKey, m.ephemeralKemPublicKey)
                && Arrays.equals(gatewayCiphertext, m.gatewayCiphertext);
    }

    @Override
    public int hashCode() {
        return Objects.hash(deviceId, gatewayId, suite, Arrays.hashCode(nonce),
                Arrays.hashCode(ephemeralKemPublicKey), Arrays.hashCode(gatewayCiphertext));
    }

    @Override
    public String toString() {
        return "HelloMessage[deviceId=" + deviceId + ", gatewayId=" + gatewayId + ", suite=" + suite + "]";
    }
}
