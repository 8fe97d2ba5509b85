package org.iomtpq.gateway.crypto;

import static org.iomtpq.gateway.testsupport.Vectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import java.security.SecureRandom;
import java.util.stream.Stream;
import org.iomtpq.gateway.testsupport.Vectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * ML-DSA-65 against Wycheproof and NIST ACVP. Cases with a non-empty context go through the package-private
 * context-taking path (same signer, other context); cases that need the internal / external-mu interface,
 * which this package deliberately does not expose, are reported as skipped with that reason.
 */
class MlDsaVectorsTest {

    @TestFactory
    Stream<DynamicTest> wycheproofVerify() {
        JsonNode file = Vectors.json("wycheproof/mldsa_65_verify_test.json");
        return Vectors.wycheproofCases(file).map(e -> dynamicTest(name(e.getValue()), () -> {
            JsonNode t = e.getValue();
            boolean valid = "valid".equals(t.get("result").asText());
            byte[] pkBytes = hex(e.getKey(), "publicKey");
            if (pkBytes.length != MlDsa.PUBLIC_KEY_BYTES) {
                assertTrue(!valid);
                assertThrows(InvalidKeyMaterialException.class, () -> MlDsaPublicKey.fromBytes(pkBytes));
                return;
            }
            MlDsaPublicKey pk = MlDsaPublicKey.fromBytes(pkBytes);
            byte[] ctx = hex(t, "ctx");
            boolean verified = ctx.length == 0
                    ? MlDsa.verify(pk, hex(t, "msg"), hex(t, "sig"))
                    : MlDsa.verifyWithContext(pk, hex(t, "msg"), ctx, hex(t, "sig"));
            assertEquals(valid, verified);
        }));
    }

    /** Deterministic cases must match byte for byte; "rnd" cases are replayed with that exact randomness. */
    @TestFactory
    Stream<DynamicTest> wycheproofSignFromSeed() {
        JsonNode file = Vectors.json("wycheproof/mldsa_65_sign_seed_test.json");
        return Vectors.wycheproofCases(file).map(e -> dynamicTest(name(e.getValue()), () -> {
            JsonNode g = e.getKey();
            JsonNode t = e.getValue();
            boolean valid = "valid".equals(t.get("result").asText());
            byte[] seed = hex(g, "privateSeed");
            if (seed.length != MlDsaPrivateKey.SEED_BYTES) {
                assertTrue(!valid);
                assertThrows(InvalidKeyMaterialException.class, () -> MlDsaPrivateKey.fromSeed(seed));
                return;
            }
            Assumptions.assumeTrue(t.has("msg"), "external-mu / internal interface (mu only) is not exposed");
            MlDsaKeyPair kp = MlDsaKeyPair.fromSeed(seed);
            assertArrayEquals(hex(g, "publicKey"), kp.publicKey().toBytes(), "pk from seed");
            byte[] msg = hex(t, "msg");
            byte[] ctx = hex(t, "ctx");
            if (!valid) {
                assertTrue(ctx.length > MlDsa.MAX_CONTEXT_BYTES, "only over-long contexts are invalid here");
                assertThrows(IllegalArgumentException.class,
                        () -> MlDsa.signWithContext(kp.privateKey(), msg, ctx, null));
                return;
            }
            byte[] sig;
            if (t.has("rnd")) {
                sig = MlDsa.signWithContext(kp.privateKey(), msg, ctx, new FixedRandom(hex(t, "rnd")));
            } else if (ctx.length == 0) {
                sig = MlDsa.signDeterministic(kp.privateKey(), msg);
            } else {
                sig = MlDsa.signWithContext(kp.privateKey(), msg, ctx, null);
            }
            assertArrayEquals(hex(t, "sig"), sig, "signature");
            assertTrue(MlDsa.verifyWithContext(kp.publicKey(), msg, ctx, sig), "verifies");
        }));
    }

    @TestFactory
    Stream<DynamicTest> acvpKeyGen() {
        JsonNode file = Vectors.json("acvp/ML-DSA-keyGen-FIPS204.internalProjection.json");
        return Vectors.stream(file.get("testGroups"))
                .filter(g -> "ML-DSA-65".equals(g.get("parameterSet").asText()))
                .flatMap(g -> Vectors.stream(g.get("tests")))
                .map(t -> dynamicTest("tc " + t.get("tcId").asInt(), () -> {
                    MlDsaKeyPair kp = MlDsaKeyPair.fromSeed(hex(t, "seed"));
                    assertArrayEquals(hex(t, "pk"), kp.publicKey().toBytes(), "pk");
                    assertArrayEquals(hex(t, "sk"), kp.privateKey().expandedEncoding(), "sk");
                }));
    }

    /** ML-DSA-65, external interface, pure: the protocol's mode (all ACVP cases carry a context). */
    @TestFactory
    Stream<DynamicTest> acvpSigVerExternalPure() {
        JsonNode file = Vectors.json("acvp/ML-DSA-sigVer-FIPS204.internalProjection.json");
        return Vectors.stream(file.get("testGroups"))
                .filter(g -> "ML-DSA-65".equals(g.get("parameterSet").asText()))
                .filter(g -> "external".equals(g.get("signatureInterface").asText()))
                .filter(g -> "pure".equals(g.get("preHash").asText()))
                .flatMap(g -> Vectors.stream(g.get("tests")))
                .map(t -> dynamicTest("tc " + t.get("tcId").asInt() + " " + t.get("reason").asText(), () -> {
                    MlDsaPublicKey pk = MlDsaPublicKey.fromBytes(hex(t, "pk"));
                    boolean verified = MlDsa.verifyWithContext(pk, hex(t, "message"), hex(t, "context"), hex(t, "signature"));
                    assertEquals(t.get("testPassed").asBoolean(), verified);
                }));
    }

    private static String name(JsonNode t) {
        return "tcId " + t.get("tcId").asInt() + " " + t.get("result").asText() + " " + t.get("flags");
    }

    /** Replays a vector's 32-byte rnd as the signer's randomness. */
    private static final class FixedRandom extends SecureRandom {
        private final byte[] value;

        FixedRandom(byte[] value) {
            this.value = value.clone();
        }

        @Override
        public void nextBytes(byte[] bytes) {
            assertEquals(value.length, bytes.length, "signer asked for an unexpected amount of randomness");
            System.arraycopy(value, 0, bytes, 0, bytes.length);
        }
    }
}
