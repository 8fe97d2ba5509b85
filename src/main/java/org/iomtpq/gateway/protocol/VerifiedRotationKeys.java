package org.iomtpq.gateway.protocol;

import java.util.Objects;
import org.iomtpq.gateway.crypto.MlDsaPublicKey;
import org.iomtpq.gateway.crypto.MlKemPublicKey;

/** The validated NEW keys of a rotate message and their commitment; signatures not yet checked. */
public record VerifiedRotationKeys(MlKemPublicKey kemPublicKey, MlDsaPublicKey sigPublicKey, byte[] keyCommitment) {
    public VerifiedRotationKeys {
        Objects.requireNonNull(kemPublicKey, "kemPublicKey");
        Objects.requireNonNull(sigPublicKey, "sigPublicKey");
        keyCommitment = Bytes.copy(keyCommitment, "keyCommitment");
    }

    @Override public byte[] keyCommitment() { return keyCommitment.clone(); }

    public String keyCommitmentHex() {
        return Hex0x.encode(keyCommitment);
    }
}
