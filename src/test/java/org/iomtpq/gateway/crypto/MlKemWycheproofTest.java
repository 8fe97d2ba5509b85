package org.iomtpq.gateway.crypto;

import static org.iomtpq.gateway.testsupport.Vectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.stream.Stream;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMParameters;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMPublicKeyParameters;
import org.iomtpq.gateway.testsupport.Vectors;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** ML-KEM-768 against the Wycheproof (v1) vector files. */
class MlKemWycheproofTest {

    private static Stream<DynamicTest> cases(String file, Check check) {
        JsonNode json = Vectors.json("wycheproof/" + file);
        return Vectors.wycheproofCases(json).map(e -> dynamicTest(
                "tcId " + e.getValue().get("tcId").asInt() + " " + e.getValue().get("result").asText(),
                () -> check.run(e.getValue(), "valid".equals(e.getValue().get("result").asText()))));
    }

    /** Decaps from a seed; invalid cases have a wrong-length seed or ciphertext. */
    @TestFactory
    Stream<DynamicTest> decapsFromSeed() {
        return cases("mlkem_768_test.json", (t, valid) -> {
            byte[] seed = hex(t, "seed");
            byte[] c = hex(t, "c");
            if (valid) {
                MlKemKeyPair kp = MlKemKeyPair.fromSeed(seed);
                assertArrayEquals(hex(t, "ek"), kp.publicKey().toBytes(), "ek");
                assertArrayEquals(hex(t, "K"), MlKem.decapsulate(kp.privateKey(), c).revealCopy(), "K");
            } else if (seed.length != MlKem.SEED_BYTES) {
                assertThrows(InvalidKeyMaterialException.class, () -> MlKemPrivateKey.fromSeed(seed));
            } else {
                MlKemPrivateKey sk = MlKemPrivateKey.fromSeed(seed);
                assertThrows(InvalidKeyMaterialException.class, () -> MlKem.decapsulate(sk, c));
            }
        });
    }

    /** Deterministic encaps; invalid keys (lengths, ModulusOverflow) must be refused at parse time. */
    @TestFactory
    Stream<DynamicTest> encaps() {
        return cases("mlkem_768_encaps_test.json", (t, valid) -> {
            byte[] ek = hex(t, "ek");
            if (valid) {
                Encapsulation enc = MlKem.encapsulateDeterministic(MlKemPublicKey.fromBytes(ek), hex(t, "m"));
                assertArrayEquals(hex(t, "c"), enc.ciphertext(), "c");
                assertArrayEquals(hex(t, "K"), enc.sharedSecret().revealCopy(), "K");
            } else {
                assertThrows(InvalidKeyMaterialException.class, () -> MlKemPublicKey.fromBytes(ek));
                if (ek.length == MlKem.PUBLIC_KEY_BYTES) {
                    // Our own check fired; BouncyCastle 1.83 must agree (defence in depth, and documents its behaviour).
                    assertTrue(!MlKemPublicKey.passesModulusCheck(ek));
                    assertThrows(IllegalArgumentException.class,
                            () -> new MLKEMPublicKeyParameters(MLKEMParameters.ml_kem_768, ek));
                }
            }
        });
    }

    @TestFactory
    Stream<DynamicTest> keygenFromSeed() {
        return cases("mlkem_768_keygen_seed_test.json", (t, valid) -> {
            assertTrue(valid, "file holds valid cases only");
            MlKemKeyPair kp = MlKemKeyPair.fromSeed(hex(t, "seed"));
            assertArrayEquals(hex(t, "ek"), kp.publicKey().toBytes(), "ek");
            assertArrayEquals(hex(t, "dk"), kp.privateKey().expandedEncoding(), "dk");
        });
    }

    /** Expanded dk with the FIPS 203 §7.3 checks; ciphertext length errors are refused, not rejected implicitly. */
    @TestFactory
    Stream<DynamicTest> semiExpandedDecaps() {
        return cases("mlkem_768_semi_expanded_decaps_test.json", (t, valid) -> {
            byte[] dk = hex(t, "dk");
            byte[] c = hex(t, "c");
            if (valid) {
                MlKemPrivateKey sk = MlKemPrivateKey.fromExpanded(dk);
                assertArrayEquals(hex(t, "ek"), sk.publicKey().toBytes(), "embedded ek");
                assertArrayEquals(hex(t, "K"), MlKem.decapsulate(sk, c).revealCopy(), "K");
            } else if (Vectors.hasFlag(t, "IncorrectCiphertextLength")) {
                MlKemPrivateKey sk = MlKemPrivateKey.fromExpanded(dk);
                assertThrows(InvalidKeyMaterialException.class, () -> MlKem.decapsulate(sk, c));
            } else {
                assertThrows(InvalidKeyMaterialException.class, () -> MlKemPrivateKey.fromExpanded(dk));
            }
        });
    }

    @FunctionalInterface
    interface Check {
        void run(JsonNode test, boolean valid) throws Exception;
    }
}
