package org.iomtpq.gateway.protocol;

import java.util.Objects;
import org.iomtpq.gateway.crypto.MlDsaPublicKey;
import org.iomtpq.gateway.crypto.MlKemPublicKey;

/** An enrollment whose timestamp, keys and proof-of-possession signature have been checked. */
public record VerifiedEnrollment(String deviceId, String deviceType, MlKemPublicKey kemPublicKey,
                                 MlDsaPublicKey sigPublicKey, byte[] keyCommitment, String timestamp) {
    public VerifiedEnrollment {
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(deviceType, "deviceType");
        Objects.requireNonNull(kemPublicKey, "kemPublicKey");
        Objects.requireNonNull(sigPublicKey, "sigPublicKey");
        Objects.requireNonNull(timestamp, "timestamp");
        keyCommitment = Bytes.copy(keyCommitment, "keyCommitment");
    }

    @Override public byte[] keyCommitment() { return keyCommitment.clone(); }

    /** The commitment as it travels: 0x + 64 lowercase hex. */
    public String keyCommitmentHex() {
        return Hex0x.encode(keyCommitment);
    }
}
