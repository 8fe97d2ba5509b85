package org.iomtpq.gateway.bench;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMParameters;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMPrivateKeyParameters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The JDK's own ML-KEM-768 (javax.crypto.KEM, JDK 24+, JEP 496), for comparison with {@link MlKemBench}. The jar is
 * built with --release 17, where javax.crypto.KEM does not exist, so the KEM calls go through method handles (bound
 * once in setup; their cost is a few ns against tens of µs). On a JDK without it, setup fails with a clear message
 * and JMH reports this benchmark as failed while the others run.
 * <p>
 * {@code decapsImportedKey} decapsulates with a key built as the product does (JdkMlKem): our 64-byte seed expanded
 * by BouncyCastle, imported in the PKCS#8 expandedKey form; {@code decaps} with the key the JDK's generator returned.
 * These bypass our crypto classes; {@link MlKemBench} on JDK 25 measures the product's path (auto picks the JDK).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class JdkMlKemBench {

    /**
     * PKCS#8 prefix of an ML-KEM-768 key in the "expandedKey" CHOICE (OCTET STRING of 2400 bytes). JDK 25 accepts only
     * this form; the "seed" form ([0] 64 bytes) fails with "Cannot parse input" (measured on 25.0.3).
     */
    private static final byte[] PKCS8_EXPANDED_PREFIX = HexFormat.of().parseHex(
            "30820978020100300b060960864801650304040204820964" + "04820960");

    private SecureRandom random;
    private KeyPairGenerator generator;
    private Object kem;
    private MethodHandle newEncapsulator;
    private MethodHandle newDecapsulator;
    private MethodHandle encapsulate;
    private MethodHandle encapsulation;
    private MethodHandle decapsulate;
    private Object encapsulator;
    private Object decapsulator;
    private Object importedKeyDecapsulator;
    private byte[] ciphertext;
    private KeyFactory keyFactory;
    private byte[] publicKeyX509;

    @Setup
    public void setUp() throws Throwable {
        random = new SecureRandom();
        Class<?> kemClass;
        try {
            kemClass = Class.forName("javax.crypto.KEM");
            generator = KeyPairGenerator.getInstance("ML-KEM-768");
        } catch (ClassNotFoundException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("JdkMlKemBench needs JDK 24+ (javax.crypto.KEM with ML-KEM-768); this is "
                    + "Java " + System.getProperty("java.version") + ": skipped", e);
        }
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        Class<?> encClass = Class.forName("javax.crypto.KEM$Encapsulator");
        Class<?> decClass = Class.forName("javax.crypto.KEM$Decapsulator");
        Class<?> encapsulatedClass = Class.forName("javax.crypto.KEM$Encapsulated");
        kem = lookup.findStatic(kemClass, "getInstance", MethodType.methodType(kemClass, String.class))
                .invoke("ML-KEM-768");
        newEncapsulator = lookup.findVirtual(kemClass, "newEncapsulator",
                MethodType.methodType(encClass, PublicKey.class, SecureRandom.class));
        newDecapsulator = lookup.findVirtual(kemClass, "newDecapsulator", MethodType.methodType(decClass, PrivateKey.class));
        encapsulate = lookup.findVirtual(encClass, "encapsulate", MethodType.methodType(encapsulatedClass));
        encapsulation = lookup.findVirtual(encapsulatedClass, "encapsulation", MethodType.methodType(byte[].class));
        decapsulate = lookup.findVirtual(decClass, "decapsulate",
                MethodType.methodType(javax.crypto.SecretKey.class, byte[].class));

        KeyPair pair = generator.generateKeyPair();
        keyFactory = KeyFactory.getInstance("ML-KEM");
        publicKeyX509 = pair.getPublic().getEncoded();
        encapsulator = newEncapsulator.invoke(kem, pair.getPublic(), random);
        decapsulator = newDecapsulator.invoke(kem, pair.getPrivate());
        ciphertext = (byte[]) encapsulation.invoke(encapsulate.invoke(encapsulator));

        // the gateway's static key: 64-byte seed, expanded by BouncyCastle, handed to the JDK in PKCS#8
        byte[] seed = new byte[64];
        random.nextBytes(seed);
        byte[] expanded = new MLKEMPrivateKeyParameters(MLKEMParameters.ml_kem_768, seed)
                .getParametersWithFormat(MLKEMPrivateKeyParameters.EXPANDED_KEY).getEncoded();
        byte[] pkcs8 = new byte[PKCS8_EXPANDED_PREFIX.length + expanded.length];
        System.arraycopy(PKCS8_EXPANDED_PREFIX, 0, pkcs8, 0, PKCS8_EXPANDED_PREFIX.length);
        System.arraycopy(expanded, 0, pkcs8, PKCS8_EXPANDED_PREFIX.length, expanded.length);
        PrivateKey importedKey = keyFactory.generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        importedKeyDecapsulator = newDecapsulator.invoke(kem, importedKey);
        decapsulate.invoke(importedKeyDecapsulator, ciphertext); // implicit rejection: any well-sized ciphertext works
    }

    @Benchmark
    public KeyPair keygen() {
        return generator.generateKeyPair();
    }

    @Benchmark
    public Object encaps() throws Throwable {
        return encapsulate.invoke(encapsulator);
    }

    /**
     * Import of an X.509-encoded public key + newEncapsulator + encapsulate: what the product pays per handshake, where
     * the device's (and the ephemeral) key arrive as raw bytes.
     */
    @Benchmark
    public Object encapsFromEncoded() throws Throwable {
        PublicKey pk = keyFactory.generatePublic(new X509EncodedKeySpec(publicKeyX509));
        return encapsulate.invoke(newEncapsulator.invoke(kem, pk, random));
    }

    @Benchmark
    public Key decaps() throws Throwable {
        return (Key) decapsulate.invoke(decapsulator, ciphertext);
    }

    @Benchmark
    public Key decapsImportedKey() throws Throwable {
        return (Key) decapsulate.invoke(importedKeyDecapsulator, ciphertext);
    }

}
