package org.iomtpq.gateway.crypto;

import static org.iomtpq.gateway.testsupport.Vectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.stream.Stream;
import org.iomtpq.gateway.testsupport.Vectors;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** HMAC-SHA256 (Wycheproof, ACVP) and HKDF-SHA256 (Wycheproof). */
class HmacHkdfVectorsTest {

    /** Truncated-tag groups compare the leading tagSize bits, as a verifier of a truncated MAC would. */
    @TestFactory
    Stream<DynamicTest> wycheproofHmac() {
        JsonNode file = Vectors.json("wycheproof/hmac_sha256_test.json");
        return Vectors.wycheproofCases(file).map(e -> dynamicTest(
                "tcId " + e.getValue().get("tcId").asInt() + " tag " + e.getKey().get("tagSize").asInt(), () -> {
                    JsonNode t = e.getValue();
                    int tagBytes = e.getKey().get("tagSize").asInt() / 8;
                    byte[] full = Hmac.sha256(hex(t, "key"), hex(t, "msg"));
                    boolean matches = ConstantTime.equals(Arrays.copyOf(full, tagBytes), hex(t, "tag"));
                    assertEquals("valid".equals(t.get("result").asText()), matches);
                    if (tagBytes == Hmac.TAG_BYTES) {
                        assertArrayEquals(full, Hmac.sha256(SecretBytes.copyOf(hex(t, "key")), hex(t, "msg")));
                    }
                }));
    }

    @TestFactory
    Stream<DynamicTest> acvpHmac() {
        JsonNode file = Vectors.json("acvp/HMAC-SHA2-256-2.0.internalProjection.json");
        return Vectors.stream(file.get("testGroups")).flatMap(g -> Vectors.stream(g.get("tests")).map(t ->
                dynamicTest("tc " + t.get("tcId").asInt() + " macLen " + t.get("macLen").asInt(), () -> {
                    byte[] full = Hmac.sha256(hex(t, "key"), hex(t, "msg"));
                    int macBytes = t.get("macLen").asInt() / 8;
                    assertArrayEquals(hex(t, "mac"), Arrays.copyOf(full, macBytes));
                })));
    }

    @TestFactory
    Stream<DynamicTest> wycheproofHkdf() {
        JsonNode file = Vectors.json("wycheproof/hkdf_sha256_test.json");
        return Vectors.wycheproofCases(file).map(e -> dynamicTest("tcId " + e.getValue().get("tcId").asInt(), () -> {
            JsonNode t = e.getValue();
            int size = t.get("size").asInt();
            SecretBytes prk = Hkdf.extract(hex(t, "salt"), hex(t, "ikm"));
            if ("valid".equals(t.get("result").asText())) {
                assertArrayEquals(hex(t, "okm"), Hkdf.expand(prk, hex(t, "info"), size).revealCopy());
            } else {
                assertThrows(IllegalArgumentException.class, () -> Hkdf.expand(prk, hex(t, "info"), size));
            }
        }));
    }
}
