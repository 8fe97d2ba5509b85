package org.iomtpq.gateway.crypto;

import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.digests.KeccakDigest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA3Digest;

/** One-shot hashes over the concatenation of their arguments. */
public final class Hashes {

    private Hashes() {
    }

    /** SHA-256(parts[0] || parts[1] || ...). */
    public static byte[] sha256(byte[]... parts) {
        return digest(new SHA256Digest(), parts);
    }

    /**
     * Ethereum's Keccak-256 (original Keccak padding 0x01), which differs from the standardised
     * SHA3-256 (padding 0x06): the chain uses Keccak, so {@code deviceIdHash}, {@code keyCommitment}
     * and {@code kemKeyHash} must too.
     */
    public static byte[] keccak256(byte[]... parts) {
        return digest(new KeccakDigest(256), parts);
    }

    /** FIPS 202 SHA3-256: ML-KEM's H, needed for the FIPS 203 §7.3 decapsulation-key check. */
    public static byte[] sha3_256(byte[]... parts) {
        return digest(new SHA3Digest(256), parts);
    }

    private static byte[] digest(Digest digest, byte[][] parts) {
        for (byte[] part : parts) {
            digest.update(part, 0, part.length);
        }
        byte[] out = new byte[digest.getDigestSize()];
        digest.doFinal(out, 0);
        return out;
    }
}
