package org.iomtpq.gateway.crypto;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;

/** An ML-KEM-768 key pair; generation is KeyGen(d, z) on 64 fresh random bytes, so the seed is the whole secret. */
public final class MlKemKeyPair {

    private final MlKemPublicKey publicKey;
    private final MlKemPrivateKey privateKey;

    private MlKemKeyPair(MlKemPublicKey publicKey, MlKemPrivateKey privateKey) {
        this.publicKey = publicKey;
        this.privateKey = privateKey;
    }

    public static MlKemKeyPair generate(SecureRandom random) {
        Objects.requireNonNull(random, "random");
        byte[] seed = new byte[MlKem.SEED_BYTES];
        random.nextBytes(seed);
        try {
            return fromSeed(seed);
        } finally {
            Arrays.fill(seed, (byte) 0);
        }
    }

    /** Deterministic ML-KEM.KeyGen_internal(d = seed[0:32], z = seed[32:64]). */
    public static MlKemKeyPair fromSeed(byte[] seed64) {
        MlKemPrivateKey sk = MlKemPrivateKey.fromSeed(seed64);
        return new MlKemKeyPair(sk.publicKey(), sk);
    }

    public MlKemPublicKey publicKey() {
        return publicKey;
    }

    public MlKemPrivateKey privateKey() {
        return privateKey;
    }

    @Override
    public String toString() {
        return "MlKemKeyPair[" + publicKey + "]";
    }
}
