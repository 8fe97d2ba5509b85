package org.iomtpq.gateway.crypto;

import java.util.Arrays;
import java.util.Objects;
import javax.security.auth.Destroyable;
import org.bouncycastle.pqc.crypto.mldsa.MLDSAParameters;
import org.bouncycastle.pqc.crypto.mldsa.MLDSAPrivateKeyParameters;

/**
 * An ML-DSA-65 signing key held as its 32-byte seed xi (FIPS 204 KeyGen input). The expanded key is
 * derived lazily and cached, as for {@link MlKemPrivateKey}.
 */
public final class MlDsaPrivateKey implements Destroyable {

    public static final int SEED_BYTES = 32;

    private final SecretBytes seed;
    private volatile MLDSAPrivateKeyParameters expanded;
    private volatile boolean destroyed;

    private MlDsaPrivateKey(SecretBytes seed) {
        this.seed = seed;
    }

    public static MlDsaPrivateKey fromSeed(byte[] seed32) {
        Objects.requireNonNull(seed32, "seed32");
        if (seed32.length != SEED_BYTES) {
            throw new InvalidKeyMaterialException(
                    "ML-DSA-65 seed must be " + SEED_BYTES + " bytes, was " + seed32.length);
        }
        return new MlDsaPrivateKey(SecretBytes.copyOf(seed32));
    }

    /** The 32-byte seed xi (a copy). */
    public SecretBytes seed() {
        checkNotDestroyed();
        byte[] s = seed.revealCopy();
        try {
            return SecretBytes.copyOf(s);
        } finally {
            Arrays.fill(s, (byte) 0);
        }
    }

    /** The matching verification key, derived from the seed. */
    public MlDsaPublicKey publicKey() {
        return MlDsaPublicKey.fromBytes(bcParameters().getPublicKey());
    }

    /** FIPS 204 expanded sk encoding (4032 bytes), for known-answer tests only. */
    byte[] expandedEncoding() {
        return bcParameters().getParametersWithFormat(MLDSAPrivateKeyParameters.EXPANDED_KEY).getEncoded();
    }

    MLDSAPrivateKeyParameters bcParameters() {
        checkNotDestroyed();
        MLDSAPrivateKeyParameters p = expanded;
        if (p == null) {
            byte[] s = seed.revealCopy();
            try {
                p = new MLDSAPrivateKeyParameters(MLDSAParameters.ml_dsa_65, s);
            } finally {
                Arrays.fill(s, (byte) 0);
            }
            expanded = p;
        }
        return p;
    }

    /** Zeroes the seed and drops the cached expansion (BouncyCastle's internal arrays cannot be zeroed). */
    @Override
    public void destroy() {
        destroyed = true;
        expanded = null;
        seed.destroy();
    }

    @Override
    public boolean isDestroyed() {
        return destroyed;
    }

    @Override
    public String toString() {
        return "MlDsaPrivateKey[ML-DSA-65" + (destroyed ? ", destroyed]" : "]");
    }

    private void checkNotDestroyed() {
        if (destroyed) {
            throw new IllegalStateException("ML-DSA private key has been destroyed");
        }
    }
}
