package org.iomtpq.gateway.crypto;

import java.util.Arrays;
import java.util.Objects;
import javax.security.auth.Destroyable;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMParameters;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMPrivateKeyParameters;

/**
 * An ML-KEM-768 decapsulation key. The canonical form is the 64-byte seed d || z (FIPS 203 §7.1 KeyGen
 * input), the smallest thing to store and wrap. The expanded key BouncyCastle needs is derived once,
 * lazily, and cached: decapsulation is on the handshake hot path and re-expanding costs a full KeyGen.
 */
public final class MlKemPrivateKey implements Destroyable {

    private final SecretBytes seed; // null when built from an expanded key (vectors only)
    private volatile MLKEMPrivateKeyParameters expanded;
    private volatile JdkMlKem.ImportedKey jdkKey; // the same key inside the JDK's ML-KEM, when that one is used
    private volatile boolean destroyed;

    private MlKemPrivateKey(SecretBytes seed, MLKEMPrivateKeyParameters expanded) {
        this.seed = seed;
        this.expanded = expanded;
    }

    public static MlKemPrivateKey fromSeed(byte[] seed64) {
        Objects.requireNonNull(seed64, "seed64");
        if (seed64.length != MlKem.SEED_BYTES) {
            throw new InvalidKeyMaterialException(
                    "ML-KEM-768 seed must be " + MlKem.SEED_BYTES + " bytes, was " + seed64.length);
        }
        return new MlKemPrivateKey(SecretBytes.copyOf(seed64), null);
    }

    /**
     * From the 2400-byte expanded form dk = dkPKE || ek || H(ek) || z, with the FIPS 203 §7.3 checks
     * (length, and H(ek) stored in dk equals SHA3-256 of the ek stored in dk). For vectors and interop;
     * such a key has no seed.
     */
    public static MlKemPrivateKey fromExpanded(byte[] dk2400) {
        Objects.requireNonNull(dk2400, "dk2400");
        if (dk2400.length != MlKem.EXPANDED_PRIVATE_KEY_BYTES) {
            throw new InvalidKeyMaterialException("ML-KEM-768 expanded private key must be "
                    + MlKem.EXPANDED_PRIVATE_KEY_BYTES + " bytes, was " + dk2400.length);
        }
        int ekStart = MlKemPublicKey.ENCODED_T_BYTES;
        int hashStart = ekStart + MlKem.PUBLIC_KEY_BYTES;
        byte[] ek = Arrays.copyOfRange(dk2400, ekStart, hashStart);
        byte[] storedHash = Arrays.copyOfRange(dk2400, hashStart, hashStart + 32);
        if (!ConstantTime.equals(Hashes.sha3_256(ek), storedHash)) {
            throw new InvalidKeyMaterialException("ML-KEM-768 private key fails the FIPS 203 hash check");
        }
        return new MlKemPrivateKey(null, new MLKEMPrivateKeyParameters(MLKEMParameters.ml_kem_768, dk2400.clone()));
    }

    /** The 64-byte seed d || z. Throws IllegalStateException for a key imported in expanded form. */
    public SecretBytes seed() {
        checkNotDestroyed();
        if (seed == null) {
            throw new IllegalStateException("this ML-KEM key was imported in expanded form and has no seed");
        }
        return SecretBytes.copyOf(revealSeed());
    }

    /** The public key this private key belongs to (derived, or read from the expanded form). */
    public MlKemPublicKey publicKey() {
        return MlKemPublicKey.fromBytes(bcParameters().getPublicKey());
    }

    /** FIPS 203 expanded dk (2400 bytes), for known-answer tests only. */
    byte[] expandedEncoding() {
        return bcParameters().getParametersWithFormat(MLKEMPrivateKeyParameters.EXPANDED_KEY).getEncoded();
    }

    MLKEMPrivateKeyParameters bcParameters() {
        checkNotDestroyed();
        MLKEMPrivateKeyParameters p = expanded;
        if (p == null) {
            // Racing threads may both expand; the results are identical, so no lock is needed.
            byte[] s = revealSeed();
            try {
                p = new MLKEMPrivateKeyParameters(MLKEMParameters.ml_kem_768, s);
            } finally {
                Arrays.fill(s, (byte) 0);
            }
            expanded = p;
        }
        return p;
    }

    /** The key imported into the runtime's ML-KEM (expanded form, see {@link JdkMlKem}), built once and cached. */
    JdkMlKem.ImportedKey jdkKey() {
        checkNotDestroyed();
        JdkMlKem.ImportedKey k = jdkKey;
        if (k == null) {
            byte[] dk = expandedEncoding();
            try {
                k = JdkMlKem.importPrivateKey(dk);
            } finally {
                Arrays.fill(dk, (byte) 0);
            }
            jdkKey = k; // racing threads import the same key twice: harmless
        }
        return k;
    }

    private byte[] revealSeed() {
        return seed.revealCopy();
    }

    /**
     * Zeroes the seed and the JDK's copy of the key, and drops the cached expansion (BouncyCastle's internal arrays
     * cannot be zeroed).
     */
    @Override
    public void destroy() {
        destroyed = true;
        expanded = null;
        JdkMlKem.ImportedKey k = jdkKey;
        jdkKey = null;
        if (k != null) {
            k.destroy();
        }
        if (seed != null) {
            seed.destroy();
        }
    }

    @Override
    public boolean isDestroyed() {
        return destroyed;
    }

    @Override
    public String toString() {
        return "MlKemPrivateKey[ML-KEM-768" + (destroyed ? ", destroyed]" : "]");
    }

    private void checkNotDestroyed() {
        if (destroyed) {
            throw new IllegalStateException("ML-KEM private key has been destroyed");
        }
    }
}
