package org.iomtpq.gateway.crypto;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.SecretKey;
import javax.security.auth.DestroyFailedException;

/**
 * ML-KEM-768 through the runtime's own implementation (javax.crypto.KEM, JDK 24+, JEP 496), which on JDK 25 runs
 * encaps and decaps about twice as fast as BouncyCastle here (docs/benchmarks.md). The code is compiled with
 * --release 17, where javax.crypto.KEM does not exist: its methods are bound once, by reflection, into method handles.
 * <p>
 * Key formats: the JDK takes X.509 / PKCS#8. Our raw 1184-byte ek becomes SubjectPublicKeyInfo by a fixed DER prefix.
 * JDK 25 imports private keys only in the "expandedKey" form (2400-byte dk; its KeyFactory refuses the 64-byte
 * "seed" form with "Cannot parse input"), so BouncyCastle expands our seed once and the JDK gets that dk.
 * KeyGen (deterministic from our stored seed) and deterministic encapsulation (test vectors) have no JDK API and
 * stay on BouncyCastle.
 */
final class JdkMlKem {

    /** SEQUENCE { SEQUENCE { OID 2.16.840.1.101.3.4.4.2 (id-alg-ml-kem-768) }, BIT STRING (0 unused bits) ... }. */
    private static final byte[] X509_PREFIX = HexFormat.of().parseHex("308204b2300b0609608648016503040402038204a100");
    /** PrivateKeyInfo { version 0, algorithm, privateKey OCTET STRING { expandedKey OCTET STRING (2400) } }. */
    private static final byte[] PKCS8_EXPANDED_PREFIX =
            HexFormat.of().parseHex("30820978020100300b06096086480165030404020482096404820960");

    private static final Bindings BINDINGS = Bindings.bind();

    private JdkMlKem() {
    }

    /** Whether this runtime offers ML-KEM-768 through javax.crypto.KEM; decided once per JVM. */
    static boolean isAvailable() {
        return BINDINGS != null;
    }

    /** Why the runtime's ML-KEM is missing, for the message when it was required ({@code iomt.crypto.mlkem=jdk}). */
    static String unavailableReason() {
        return "Java " + System.getProperty("java.version") + " has no javax.crypto.KEM \"ML-KEM-768\" (needs JDK 24+)";
    }

    static Encapsulation encapsulate(MlKemPublicKey pk, SecureRandom random) {
        Bindings b = required();
        byte[] secret = null;
        try {
            PublicKey key = b.keyFactory().generatePublic(new X509EncodedKeySpec(concat(X509_PREFIX, pk.toBytes())));
            Object encapsulated = b.encapsulate.invoke(b.newEncapsulator.invoke(b.kem, key, random));
            // The JDK's SecretKeySpec cannot be destroyed: our copy is wiped, its own stays until collected.
            secret = ((SecretKey) b.encapsulatedKey.invoke(encapsulated)).getEncoded();
            byte[] ciphertext = (byte[]) b.encapsulation.invoke(encapsulated);
            return new Encapsulation(ciphertext, SecretBytes.copyOf(secret));
        } catch (Throwable e) {
            throw failure("encapsulation", e);
        } finally {
            if (secret != null) {
                Arrays.fill(secret, (byte) 0);
            }
        }
    }

    static SecretBytes decapsulate(ImportedKey key, byte[] ciphertext) {
        Bindings b = required();
        try {
            SecretKey secret = (SecretKey) b.decapsulate.invoke(key.decapsulator, ciphertext);
            return SecretBytes.takeOwnership(secret.getEncoded());
        } catch (Throwable e) {
            throw failure("decapsulation", e);
        }
    }

    /** Imports the 2400-byte expanded dk; the caller caches the result (see {@link MlKemPrivateKey}). */
    static ImportedKey importPrivateKey(byte[] expandedDk) {
        Bindings b = required();
        byte[] pkcs8 = concat(PKCS8_EXPANDED_PREFIX, expandedDk);
        try {
            PrivateKey key = b.keyFactory().generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            return new ImportedKey(key, b.newDecapsulator.invoke(b.kem, key));
        } catch (Throwable e) {
            throw failure("private key import", e);
        } finally {
            Arrays.fill(pkcs8, (byte) 0);
        }
    }

    /** A JDK private key and its decapsulator (immutable per the KEM contract, so shared by all threads). */
    static final class ImportedKey {
        private final PrivateKey key;
        private final Object decapsulator;

        private ImportedKey(PrivateKey key, Object decapsulator) {
            this.key = key;
            this.decapsulator = decapsulator;
        }

        /** Wipes the JDK's copy of dk (its PKCS#8 key supports destroy()); the decapsulator is dropped with us. */
        void destroy() {
            try {
                key.destroy();
            } catch (DestroyFailedException e) {
                // nothing more we can do: the key object is unreachable once our reference goes
            }
        }
    }

    private static Bindings required() {
        if (BINDINGS == null) {
            throw new IllegalStateException(unavailableReason());
        }
        return BINDINGS;
    }

    private static CryptoException failure(String what, Throwable e) {
        if (e instanceof Error error) {
            throw error;
        }
        return new CryptoException("ML-KEM-768 " + what + " (JDK provider) failed", e);
    }

    private static byte[] concat(byte[] prefix, byte[] body) {
        byte[] out = Arrays.copyOf(prefix, prefix.length + body.length);
        System.arraycopy(body, 0, out, prefix.length, body.length);
        return out;
    }

    /** The javax.crypto.KEM methods, bound once. A KEM object is immutable and thread-safe (its javadoc). */
    private static final class Bindings {
        private Object kem;
        private MethodHandle newEncapsulator;
        private MethodHandle newDecapsulator;
        private MethodHandle encapsulate;
        private MethodHandle encapsulation;
        private MethodHandle encapsulatedKey;
        private MethodHandle decapsulate;

        /** KeyFactory instances are not thread-safe: one per call (cheap, the provider lookup is cached). */
        KeyFactory keyFactory() throws GeneralSecurityException {
            return KeyFactory.getInstance("ML-KEM");
        }

        /** null when the runtime has no ML-KEM KEM (JDK < 24, or a provider setup without it). */
        static Bindings bind() {
            try {
                Class<?> kemClass = Class.forName("javax.crypto.KEM");
                Class<?> encapsulatorClass = Class.forName("javax.crypto.KEM$Encapsulator");
                Class<?> decapsulatorClass = Class.forName("javax.crypto.KEM$Decapsulator");
                Class<?> encapsulatedClass = Class.forName("javax.crypto.KEM$Encapsulated");
                MethodHandles.Lookup lookup = MethodHandles.publicLookup();
                Bindings b = new Bindings();
                b.kem = lookup.findStatic(kemClass, "getInstance", MethodType.methodType(kemClass, String.class))
                        .invoke("ML-KEM-768");
                b.newEncapsulator = lookup.findVirtual(kemClass, "newEncapsulator",
                        MethodType.methodType(encapsulatorClass, PublicKey.class, SecureRandom.class));
                b.newDecapsulator = lookup.findVirtual(kemClass, "newDecapsulator",
                        MethodType.methodType(decapsulatorClass, PrivateKey.class));
                b.encapsulate = lookup.findVirtual(encapsulatorClass, "encapsulate",
                        MethodType.methodType(encapsulatedClass));
                b.encapsulation = lookup.findVirtual(encapsulatedClass, "encapsulation",
                        MethodType.methodType(byte[].class));
                b.encapsulatedKey = lookup.findVirtual(encapsulatedClass, "key", MethodType.methodType(SecretKey.class));
                b.decapsulate = lookup.findVirtual(decapsulatorClass, "decapsulate",
                        MethodType.methodType(SecretKey.class, byte[].class));
                b.keyFactory();
                return b;
            } catch (Throwable e) {
                if (e instanceof VirtualMachineError error) {
                    throw error;
                }
                return null; // ClassNotFoundException on 17, NoSuchAlgorithmException without the algorithm
            }
        }
    }
}
