package org.iomtpq.gateway.bench;

import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.iomtpq.gateway.crypto.Encapsulation;
import org.iomtpq.gateway.crypto.MlKem;
import org.iomtpq.gateway.crypto.MlKemKeyPair;
import org.iomtpq.gateway.crypto.SecretBytes;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * ML-KEM-768 through the gateway's own crypto classes, with whatever implementation {@link MlKem} picked: the JDK's on
 * JDK 24+, BouncyCastle otherwise; force one with {@code -jvmArgsAppend -Diomt.crypto.mlkem=bc} (or {@code jdk}).
 * Keygen is always BouncyCastle (seed expansion + public key derivation, as {@link MlKemKeyPair#generate} does it).
 * Decaps measures the product's path, with the private key's import cached as in the gateway.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class MlKemBench {

    private SecureRandom random;
    private MlKemKeyPair keyPair;
    private byte[] ciphertext;

    @Setup
    public void setUp() {
        random = new SecureRandom();
        keyPair = MlKemKeyPair.generate(random);
        ciphertext = MlKem.encapsulate(keyPair.publicKey(), random).ciphertext();
        // The first decapsulation expands (and caches) the seed-form key, as the gateway's static key does once.
        MlKem.decapsulate(keyPair.privateKey(), ciphertext).destroy();
    }

    @Benchmark
    public MlKemKeyPair keygen() {
        return MlKemKeyPair.generate(random);
    }

    @Benchmark
    public Encapsulation encaps() {
        return MlKem.encapsulate(keyPair.publicKey(), random);
    }

    @Benchmark
    public SecretBytes decaps() {
        return MlKem.decapsulate(keyPair.privateKey(), ciphertext);
    }
}
