package org.iomtpq.gateway.crypto;

import static org.iomtpq.gateway.testsupport.Vectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.stream.Stream;
import org.iomtpq.gateway.testsupport.Vectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** AES-GCM against Wycheproof and the ACVP sample (AES-128, through the package-private any-key-size path). */
class AesGcmVectorsTest {

    /** Every AES-256 / 96-bit IV / 128-bit tag case goes through the public API. */
    @TestFactory
    Stream<DynamicTest> wycheproofAes256() {
        JsonNode file = Vectors.json("wycheproof/aes_gcm_test.json");
        return Vectors.wycheproofCases(file)
                .filter(e -> e.getKey().get("keySize").asInt() == 256 && is96And128(e.getKey()))
                .map(e -> dynamicTest("tcId " + e.getValue().get("tcId").asInt(), () -> checkPublicApi(e.getValue())));
    }

    /** AES-128/192 cases of the same shape exercise the identical JCA path (the product uses only AES-256). */
    @TestFactory
    Stream<DynamicTest> wycheproofOtherKeySizes() {
        JsonNode file = Vectors.json("wycheproof/aes_gcm_test.json");
        return Vectors.wycheproofCases(file)
                .filter(e -> e.getKey().get("keySize").asInt() != 256 && is96And128(e.getKey()))
                .map(e -> dynamicTest("tcId " + e.getValue().get("tcId").asInt(), () -> checkAnyKeySize(
                        hex(e.getValue(), "key"), e.getValue(), "msg", "ct", "tag", "valid".equals(e.getValue().get("result").asText()))));
    }

    @TestFactory
    Stream<DynamicTest> acvpSample() {
        JsonNode file = Vectors.json("acvp/ACVP-AES-GCM-1.0.internalProjection.json");
        return Vectors.stream(file.get("testGroups")).flatMap(g -> Vectors.stream(g.get("tests")).map(t ->
                dynamicTest("tg " + g.get("tgId").asInt() + " tc " + t.get("tcId").asInt() + " " + g.get("direction").asText(), () -> {
                    Assumptions.assumeTrue(g.get("ivLen").asInt() == 96 && g.get("tagLen").asInt() == 128,
                            "only 96-bit IV / 128-bit tag is in scope");
                    boolean passed = !t.has("testPassed") || t.get("testPassed").asBoolean();
                    checkAnyKeySize(hex(t, "key"), t, "pt", "ct", "tag", passed);
                })));
    }

    private static boolean is96And128(JsonNode group) {
        return group.get("ivSize").asInt() == 96 && group.get("tagSize").asInt() == 128;
    }

    private static void checkPublicApi(JsonNode t) throws Exception {
        SecretBytes key = SecretBytes.copyOf(hex(t, "key"));
        byte[] iv = hex(t, "iv");
        byte[] aad = hex(t, "aad");
        byte[] msg = hex(t, "msg");
        byte[] ctTag = concat(hex(t, "ct"), hex(t, "tag"));
        if ("valid".equals(t.get("result").asText())) {
            assertArrayEquals(ctTag, AesGcm.seal(key, iv, aad, msg), "seal");
            assertArrayEquals(msg, AesGcm.open(key, iv, aad, ctTag), "open");
        } else {
            assertThrows(AeadFailureException.class, () -> AesGcm.open(key, iv, aad, ctTag));
        }
    }

    private static void checkAnyKeySize(byte[] key, JsonNode t, String ptField, String ctField, String tagField,
            boolean expectValid) throws Exception {
        byte[] iv = hex(t, "iv");
        byte[] aad = hex(t, "aad");
        byte[] ctTag = concat(hex(t, ctField), hex(t, tagField));
        if (expectValid) {
            byte[] pt = hex(t, ptField);
            assertArrayEquals(ctTag, AesGcm.sealAnyKeySize(key, iv, aad, pt), "seal");
            assertArrayEquals(pt, AesGcm.openAnyKeySize(key, iv, aad, ctTag), "open");
        } else {
            assertThrows(AeadFailureException.class, () -> AesGcm.openAnyKeySize(key, iv, aad, ctTag));
        }
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
