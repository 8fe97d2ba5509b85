package org.iomtpq.gateway.protocol;

import java.util.Arrays;
import java.util.Objects;

/**
 * {@code enroll} (§4). The public keys stay raw bytes here: the codec only checks they are canonical
 * base64, because §4 checks the timestamp (STALE_REQUEST) before key lengths (INVALID_KEY); see
 * {@link EnrollmentVerifier}. Byte arrays are copied in and out.
 */
public record EnrollMessage(String deviceId, String deviceType, byte[] kemPublicKey, byte[] sigPublicKey,
                            String timestamp, byte[] signature) {
    public EnrollMessage {
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(deviceType, "deviceType");
        Objects.requireNonNull(timestamp, "timestamp");
        kemPublicKey = Bytes.copy(kemPublicKey, "kemPublicKey");
        sigPublicKey = Bytes.copy(sigPublicKey, "sigPublicKey");
        signature = Bytes.copy(signature, "signature");
    }

    @Override public byte[] kemPublicKey() { return kemPublicKey.clone(); }
    @Override public byte[] sigPublicKey() { return sigPublicKey.clone(); }
    @Override public byte[] signature() { return signature.clone(); }

    @Override
    public boolean equals(Object o) {
        return o instanceof EnrollMessage m && deviceId.equals(m.deviceId) && deviceType.equals(m.deviceType)
                && Arrays.equals(kemPublicKey, m.kemPublicKey) && Arrays.equals(sigPublicKey, m.sigPublicKey)
                && timestamp.equals(m.timestamp) && Arrays.equals(signature, m.signature);
    }

    @Override
    public int hashCode() {
        return Objects.hash(deviceId, deviceType, timestamp, Arrays.hashCode(kemPublicKey),
                Arrays.hashCode(sigPublicKey), Arrays.hashCode(signature));
    }

    @Override
    public String toString() {
        return "EnrollMessage[deviceId=" + deviceId + ", deviceType=" + deviceType + ", timestamp=" + timestamp + "]";
    }
}
