package org.iomtpq.gateway.protocol;

import java.time.Instant;
import org.iomtpq.gateway.crypto.MlDsa;
import org.iomtpq.gateway.crypto.MlDsaPublicKey;
import org.iomtpq.gateway.crypto.MlKemPublicKey;

/**
 * The storage-free part of §4: timestamp ({@code STALE_REQUEST}), then keys ({@code INVALID_KEY}), then the
 * proof-of-possession signature ({@code INVALID_SIGNATURE}). The order is normative: the cheap checks
 * run before the expensive signature verification.
 */
public final class EnrollmentVerifier {
    private EnrollmentVerifier() {
    }

    public static VerifiedEnrollment verify(EnrollMessage m, Instant now) {
        Timestamps.requireFresh(m.timestamp(), now);
        byte[] kemRaw = m.kemPublicKey();
        byte[] sigRaw = m.sigPublicKey();
        MlKemPublicKey kem = PublicKeys.kem(kemRaw, "kemPublicKey");
        MlDsaPublicKey sig = PublicKeys.sig(sigRaw, "sigPublicKey");
        byte[] signed = SignedPayloads.enrollment(m.deviceId(), m.deviceType(), kemRaw, sigRaw, m.timestamp());
        if (!MlDsa.verify(sig, signed, m.signature())) {
            throw ProtocolException.invalidSignature("enrollment signature does not verify with sigPublicKey");
        }
        return new VerifiedEnrollment(m.deviceId(), m.deviceType(), kem, sig,
                SignedPayloads.keyCommitment(kemRaw, sigRaw), m.timestamp());
    }
}
