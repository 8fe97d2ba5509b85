package org.iomtpq.gateway.protocol;

import java.time.Instant;
import java.util.Objects;
import org.iomtpq.gateway.crypto.MlDsa;
import org.iomtpq.gateway.crypto.MlDsaPublicKey;

/**
 * The storage-free parts of §5a, split in two so the gateway can run its own checks in between, in the
 * normative order: shape → timestamp → new keys ({@link #checkTimestampAndKeys}) → [gateway: burnt keys,
 * device ACTIVE, no rotation pending] → {@code signature} then {@code newSignature} ({@link #verifySignatures}).
 */
public final class RotationVerifier {
    private RotationVerifier() {
    }

    /** {@code STALE_REQUEST}, then {@code INVALID_KEY} for a new key of wrong length or failing FIPS 203 §7.2. */
    public static VerifiedRotationKeys checkTimestampAndKeys(RotateMessage m, Instant now) {
        Timestamps.requireFresh(m.timestamp(), now);
        byte[] kemRaw = m.kemPublicKey();
        byte[] sigRaw = m.sigPublicKey();
        return new VerifiedRotationKeys(PublicKeys.kem(kemRaw, "kemPublicKey"), PublicKeys.sig(sigRaw, "sigPublicKey"),
                SignedPayloads.keyCommitment(kemRaw, sigRaw));
    }

    /**
     * {@code signature} with the current signing key, then {@code newSignature} with the new one, both over
     * the §5a payload bound to {@code currentCommitment}; either failing is {@code INVALID_SIGNATURE}.
     */
    public static void verifySignatures(RotateMessage m, VerifiedRotationKeys k, MlDsaPublicKey currentSigPk,
                                        byte[] currentCommitment) {
        Objects.requireNonNull(currentSigPk, "currentSigPk");
        byte[] signed = SignedPayloads.rotation(m.deviceId(), currentCommitment, k.kemPublicKey().toBytes(),
                k.sigPublicKey().toBytes(), m.timestamp());
        if (!MlDsa.verify(currentSigPk, signed, m.signature())) {
            throw ProtocolException.invalidSignature("rotation signature does not verify with the current key");
        }
        if (!MlDsa.verify(k.sigPublicKey(), signed, m.newSignature())) {
            throw ProtocolException.invalidSignature("rotation newSignature does not verify with the new key");
        }
    }
}
