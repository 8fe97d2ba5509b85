package org.iomtpq.gateway.crypto;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import org.bouncycastle.crypto.SecretWithEncapsulation;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMExtractor;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMGenerator;

/**
 * ML-KEM-768 (FIPS 203) encapsulation and decapsulation. Randomized encaps and decaps use the runtime's own ML-KEM
 * when it has one (JDK 24+; about twice as fast on JDK 25, docs/benchmarks.md), else BouncyCastle's lightweight API;
 * system property {@value #PROVIDER_PROPERTY} = {@code auto} (default) | {@code bc} | {@code jdk} forces a choice.
 * Both give identical results (the vector tests run through each). Key generation from our seed and deterministic
 * encapsulation have no JDK API and always use BouncyCastle.
 */
public final class MlKem {

    /** Read once, when this class is first used. */
    static final String PROVIDER_PROPERTY = "iomt.crypto.mlkem";

    public static final int PUBLIC_KEY_BYTES = 1184;
    public static final int CIPHERTEXT_BYTES = 1088;
    public static final int SHARED_SECRET_BYTES = 32;
    public static final int SEED_BYTES = 64;
    /** Expanded decapsulation key dk = dkPKE || ek || H(ek) || z (FIPS 203 Algorithm 16). */
    public static final int EXPANDED_PRIVATE_KEY_BYTES = 2400;
    /** Size of the message m consumed by deterministic encapsulation (ML-KEM.Encaps_internal). */
    public static final int MESSAGE_BYTES = 32;

    private static final boolean USE_JDK = chooseJdk(System.getProperty(PROVIDER_PROPERTY, "auto"));

    private MlKem() {
    }

    /** "jdk" when the runtime's ML-KEM serves encaps/decaps, else "bc" (for logs and tests). */
    static String provider() {
        return USE_JDK ? "jdk" : "bc";
    }

    static boolean chooseJdk(String setting) {
        switch (setting.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "auto":
                return JdkMlKem.isAvailable();
            case "bc":
                return false;
            case "jdk":
                // Asked for explicitly: failing loudly beats a silent fallback the operator did not want.
                if (!JdkMlKem.isAvailable()) {
                    throw new IllegalStateException(PROVIDER_PROPERTY + "=jdk, but " + JdkMlKem.unavailableReason());
                }
                return true;
            default:
                throw new IllegalArgumentException(PROVIDER_PROPERTY + " must be auto, bc or jdk, was '" + setting + "'");
        }
    }

    public static Encapsulation encapsulate(MlKemPublicKey pk, SecureRandom random) {
        Objects.requireNonNull(pk, "pk");
        Objects.requireNonNull(random, "random");
        return USE_JDK ? JdkMlKem.encapsulate(pk, random) : encapsulateWithBouncyCastle(pk, random);
    }

    static Encapsulation encapsulateWithBouncyCastle(MlKemPublicKey pk, SecureRandom random) {
        SecretWithEncapsulation result = new MLKEMGenerator(random).generateEncapsulated(pk.bcParameters());
        return toEncapsulation(result);
    }

    /** Encaps_internal with a caller-chosen m: only for known-answer tests, never for real traffic. */
    public static Encapsulation encapsulateDeterministic(MlKemPublicKey pk, byte[] m32) {
        Objects.requireNonNull(pk, "pk");
        Objects.requireNonNull(m32, "m32");
        if (m32.length != MESSAGE_BYTES) {
            throw new IllegalArgumentException("m must be " + MESSAGE_BYTES + " bytes, was " + m32.length);
        }
        // The generator's random source is not consulted when m is supplied.
        SecretWithEncapsulation result =
                new MLKEMGenerator(null).internalGenerateEncapsulated(pk.bcParameters(), m32.clone());
        return toEncapsulation(result);
    }

    /**
     * Decaps with implicit rejection: a well-sized but forged ciphertext yields a pseudo-random secret
     * (derived from z), not an error, so the caller learns nothing until a MAC check fails.
     */
    public static SecretBytes decapsulate(MlKemPrivateKey sk, byte[] ciphertext) {
        Objects.requireNonNull(sk, "sk");
        Objects.requireNonNull(ciphertext, "ciphertext");
        if (ciphertext.length != CIPHERTEXT_BYTES) {
            throw new InvalidKeyMaterialException(
                    "ML-KEM-768 ciphertext must be " + CIPHERTEXT_BYTES + " bytes, was " + ciphertext.length);
        }
        return USE_JDK ? JdkMlKem.decapsulate(sk.jdkKey(), ciphertext) : decapsulateWithBouncyCastle(sk, ciphertext);
    }

    /** Unchecked: the caller has checked the ciphertext length. */
    static SecretBytes decapsulateWithBouncyCastle(MlKemPrivateKey sk, byte[] ciphertext) {
        byte[] secret = new MLKEMExtractor(sk.bcParameters()).extractSecret(ciphertext);
        return SecretBytes.takeOwnership(secret);
    }

    /** Unchecked: the caller has checked the ciphertext length and that the runtime has the JDK's ML-KEM. */
    static SecretBytes decapsulateWithJdk(MlKemPrivateKey sk, byte[] ciphertext) {
        return JdkMlKem.decapsulate(sk.jdkKey(), ciphertext);
    }

    private static Encapsulation toEncapsulation(SecretWithEncapsulation result) {
        byte[] secret = result.getSecret();
        try {
            return new Encapsulation(result.getEncapsulation(), SecretBytes.copyOf(secret));
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }
}
