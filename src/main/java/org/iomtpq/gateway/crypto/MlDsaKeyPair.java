package org.iomtpq.gateway.crypto;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;

/** An ML-DSA-65 key pair; generation is KeyGen(xi) on 32 fresh random bytes. */
public final class MlDsaKeyPair {

    private final MlDsaPublicKey publicKey;
    private final MlDsaPrivateKey privateKey;

    private MlDsaKeyPair(MlDsaPublicKey publicKey, MlDsaPrivateKey privateKey) {
        this.publicKey = publicKey;
        this.privateKey = privateKey;
    }

    public static MlDsaKeyPair generate(SecureRandom random) {
        Objects.requireNonNull(random, "random");
        byte[] seed = new byte[MlDsaPrivateKey.SEED_BYTES];
        random.nextBytes(seed);
        try {
            return fromSeed(seed);
        } finally {
            Arrays.fill(seed, (byte) 0);
        }
    }

    /** Deterministic ML-DSA.KeyGen_internal(xi). */
    public static MlDsaKeyPair fromSeed(byte[] seed32) {
        MlDsaPrivateKey sk = MlDsaPrivateKey.fromSeed(seed32);
        return new MlDsaKeyPair(sk.publicKey(), sk);
    }

    public MlDsaPublicKey publicKey() {
        return publicKey;
    }

    public MlDsaPrivateKey privateKey() {
        return privateKey;
    }

    @Override
    public String toString() {
        return "MlDsaKeyPair[" + publicKey + "]";
    }
}
