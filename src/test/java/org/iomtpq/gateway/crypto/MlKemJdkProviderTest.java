package org.iomtpq.gateway.crypto;

import static org.iomtpq.gateway.testsupport.Vectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.security.SecureRandom;
import java.util.Map;
import org.iomtpq.gateway.testsupport.Vectors;
import org.junit.jupiter.api.Test;

/**
 * The runtime's ML-KEM (javax.crypto.KEM, JDK 24+) against the same vectors as BouncyCastle, and the two against each
 * other. Skips on JDK 17; run under JDK 25 with
 * {@code mvn -o test -Dtest='MlKem*,CryptoBasicsTest' -Djvm=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java} (surefire forks the
 * tests on JDK 25 while Maven compiles on 17; {@code JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 mvn ...} works too).
 */
class MlKemJdkProviderTest {

    private static final SecureRandom RND = new SecureRandom();

    private static void assumeJdkMlKem() {
        assumeTrue(JdkMlKem.isAvailable(), JdkMlKem.unavailableReason() + ": skipping the JDK ML-KEM tests");
    }

    /** Both implementations must give the expected K; the JDK one is reached directly, whatever MlKem chose. */
    private static void decapsBothWays(MlKemPrivateKey sk, byte[] c, byte[] expectedK, String what) {
        assertArrayEquals(expectedK, MlKem.decapsulateWithJdk(sk, c).revealCopy(), what + " (JDK)");
        assertArrayEquals(expectedK, MlKem.decapsulateWithBouncyCastle(sk, c).revealCopy(), what + " (BouncyCastle)");
    }

    @Test
    void acvpDecapsulationThroughTheJdk() {
        assumeJdkMlKem();
        JsonNode json = Vectors.json("acvp/ML-KEM-encapDecap-FIPS203.internalProjection.json");
        int checked = 0;
        for (JsonNode g : json.get("testGroups")) {
            String function = g.get("function").asText();
            if (!"ML-KEM-768".equals(g.get("parameterSet").asText())
                    || !("encapsulation".equals(function) || "decapsulation".equals(function))) {
                continue;
            }
            for (JsonNode t : g.get("tests")) {
                // "decapsulation" includes modified ciphertexts: implicit rejection K = J(z || c) must match too
                decapsBothWays(MlKemPrivateKey.fromExpanded(hex(t, "dk")), hex(t, "c"), hex(t, "k"),
                        function + " tc " + t.get("tcId").asInt());
                checked++;
            }
        }
        assertTrue(checked > 0, "ACVP holds ML-KEM-768 cases");
    }

    @Test
    void wycheproofSeedKeysThroughTheJdk() {
        assumeJdkMlKem();
        int[] checked = {0};
        Vectors.wycheproofCases(Vectors.json("wycheproof/mlkem_768_test.json"))
                .map(Map.Entry::getValue)
                .filter(t -> "valid".equals(t.get("result").asText()))
                .forEach(t -> {
                    decapsBothWays(MlKemKeyPair.fromSeed(hex(t, "seed")).privateKey(), hex(t, "c"), hex(t, "K"),
                            "tcId " + t.get("tcId").asInt());
                    checked[0]++;
                });
        assertTrue(checked[0] > 0);
    }

    @Test
    void cctvStrcmpThroughTheJdk() {
        assumeJdkMlKem();
        for (Map<String, String> b : Vectors.keyValueBlocks("cctv/strcmp_ML-KEM-768.txt")) {
            decapsBothWays(MlKemPrivateKey.fromExpanded(hex(b.get("dk"))), hex(b.get("c")), hex(b.get("K")), "strcmp");
        }
    }

    /** Randomized encaps has no known answer: each side must decapsulate what the other encapsulated. */
    @Test
    void jdkAndBouncyCastleInteroperate() {
        assumeJdkMlKem();
        for (int i = 0; i < 20; i++) {
            MlKemKeyPair kp = MlKemKeyPair.generate(RND);
            Encapsulation byJdk = JdkMlKem.encapsulate(kp.publicKey(), RND);
            assertArrayEquals(byJdk.sharedSecret().revealCopy(),
                    MlKem.decapsulateWithBouncyCastle(kp.privateKey(), byJdk.ciphertext()).revealCopy());
            Encapsulation byBc = MlKem.encapsulateWithBouncyCastle(kp.publicKey(), RND);
            assertArrayEquals(byBc.sharedSecret().revealCopy(),
                    MlKem.decapsulateWithJdk(kp.privateKey(), byBc.ciphertext()).revealCopy());
        }
    }

    @Test
    void autoPicksTheJdkWhenPresent() {
        assumeJdkMlKem();
        assertTrue(MlKem.chooseJdk("auto"));
        assertTrue(MlKem.chooseJdk("jdk"));
        assertFalse(MlKem.chooseJdk("BC"));
        String expected = System.getProperty(MlKem.PROVIDER_PROPERTY, "auto").equals("bc") ? "bc" : "jdk";
        assertEquals(expected, MlKem.provider());
    }

    @Test
    void destroyedKeyCannotReachTheJdk() {
        assumeJdkMlKem();
        MlKemKeyPair kp = MlKemKeyPair.generate(RND);
        byte[] c = MlKem.encapsulateWithBouncyCastle(kp.publicKey(), RND).ciphertext();
        MlKem.decapsulateWithJdk(kp.privateKey(), c).destroy(); // imports and caches the JDK key
        kp.privateKey().destroy();
        assertThrows(IllegalStateException.class, () -> MlKem.decapsulateWithJdk(kp.privateKey(), c));
    }

    /** On a runtime without it (JDK 17): auto falls back to BouncyCastle, and forcing the JDK fails loudly. */
    @Test
    void withoutTheJdkMlKemAutoFallsBackAndJdkIsRefused() {
        assumeFalse(JdkMlKem.isAvailable(), "this runtime has the JDK's ML-KEM: the fallback is tested on JDK 17");
        assertFalse(MlKem.chooseJdk("auto"));
        assertEquals("bc", MlKem.provider());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> MlKem.chooseJdk("jdk"));
        assertTrue(e.getMessage().contains("JDK 24+"), e.getMessage());
    }

    @Test
    void unknownSettingIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> MlKem.chooseJdk("openssl"));
    }
}
