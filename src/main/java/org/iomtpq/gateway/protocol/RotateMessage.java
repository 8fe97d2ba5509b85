package org.iomtpq.gateway.protocol;

import java.util.Arrays;
import java.util.Objects;

/**
 * {@code rotate} (§5a): the NEW public keys, {@code signature} by the current signing key and
 * {@code newSignature} by the new one. Keys stay raw (see {@link RotationVerifier}); arrays are copied.
 */
public record RotateMessage(String deviceId, byte[] kemPublicKey, byte[] sigPublicKey, String timestamp,
                            byte[] signature, byte[] newSignature) {
    public RotateMessage {
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(timestamp, "timestamp");
        kemPublicKey = Bytes.copy(kemPublicKey, "kemPublicKey");
        sigPublicKey = Bytes.copy(sigPublicKey, "sigPublicKey");
        signature = Bytes.copy(signature, "signature");
        newSignature = Bytes.copy(newSignature, "newSignature");
    }

    @Override public byte[] kemPublicKey() { return kemPublicKey.clone(); }
    @Override public byte[] sigPublicKey() { return sigPublicKey.clone(); }
    @Override public byte[] signature() { return signature.clone(); }
    @Override public byte[] newSignature() { return newSignature.clone(); }

    @Override
    public boolean equals(Object o) {
        return o instanceof RotateMessage m && deviceId.equals(m.deviceId) && timestamp.equals(m.timestamp)
                && Arrays.equals(kemPublicKey, m.kemPublicKey) && Arrays.equals(sigPublicKey, m.sigPublicKey)
                && Arrays.equals(signature, m.signature) && Arrays.equals(newSignature, m.newSignature);
    }

    @Override
    public int hashCode() {
        return Objects.hash(deviceId, timestamp, Arrays.hashCode(kemPublicKey), Arrays.hashCode(sigPublicKey),
                Arrays.hashCode(signature), Arrays.hashCode(newSignature));
    }

    @Override
    public String toString() {
        return "RotateMessage[deviceId=" + deviceId + ", timestamp=" + timestamp + "]";
    }
}
