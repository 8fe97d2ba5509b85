package org.iomtpq.gateway.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.iomtpq.gateway.crypto.SecretBytes;
import org.junit.jupiter.api.Test;

/**
 * Known answers for the §0 encodings and the §5 transcript / key schedule, with the expected bytes written
 * out by hand here and the hashes computed with the JDK alone (not with the code under test).
 */
class TranscriptKnownAnswerTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void lpAndUint64ByHand() {
        assertEquals("00000003616263", HEX.formatHex(Lp.builder().lp("abc").toByteArray()));
        assertEquals("00000000", HEX.formatHex(Lp.builder().lp(new byte[0]).toByteArray()));
        assertEquals("0000000200ff", HEX.formatHex(Lp.builder().lp(new byte[] {0, (byte) 0xff}).toByteArray()));
        assertEquals("0102030405060708", HEX.formatHex(Lp.builder().u64(0x0102030405060708L).toByteArray()));
        assertEquals("001fffffffffffff", HEX.formatHex(Lp.builder().u64(Limits.MAX_MESSAGES_CAP).toByteArray()));
        assertEquals("0000000000000001" + "abcd", HEX.formatHex(Lp.builder().u64(1).raw(new byte[] {(byte) 0xab, (byte) 0xcd})
                .toByteArray()));
        // UTF-8, not UTF-16 or Latin-1: "é" is two bytes
        assertEquals("00000002c3a9", HEX.formatHex(Lp.builder().lp("\u00e9").toByteArray()));
        byte[] big = new byte[0x010203];
        assertEquals("00010203", HEX.formatHex(Lp.builder().lp(big).toByteArray(), 0, 4));
    }

    @Test
    void transcriptEncodingAndHashByHand() throws Exception {
        byte[] encoded = Transcript.encode("dev", "gw1", "S", new byte[] {1}, new byte[] {2, 3}, new byte[0],
                new byte[] {4}, new byte[] {5}, "Z", 0x0102030405060708L, new byte[] {6}, new byte[] {7});
        String expected = ""
                + "00000014" + "696f6d742d70712f76312f68616e647368616b65" // LP("iomt-pq/v1/handshake")
                + "00000003" + "646576"                                   // LP(deviceId "dev")
                + "00000003" + "677731"                                   // LP(gatewayId "gw1")
                + "00000001" + "53"                                       // LP(suite "S")
                + "00000001" + "01"                                       // LP(nonceD)
                + "00000002" + "0203"                                     // LP(ephemeralKemPk)
                + "00000000"                                              // LP(ctG) empty
                + "00000001" + "04"                                       // LP(sessionId)
                + "00000001" + "05"                                       // LP(nonceG)
                + "00000001" + "5a"                                       // LP(expiresAt "Z")
                + "0102030405060708"                                      // uint64_be(maxMessages)
                + "00000001" + "06"                                       // LP(ctS)
                + "00000001" + "07";                                      // LP(ctE)
        assertEquals(expected, HEX.formatHex(encoded));
        byte[] th = Transcript.hash("dev", "gw1", "S", new byte[] {1}, new byte[] {2, 3}, new byte[0], new byte[] {4},
                new byte[] {5}, "Z", 0x0102030405060708L, new byte[] {6}, new byte[] {7});
        assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(HEX.parseHex(expected)), th);
    }

    @Test
    void timestampsEnterAsSentNotReformatted() {
        byte[] a = Transcript.encode("dev", "gw1", "S", new byte[0], new byte[0], new byte[0], new byte[0], new byte[0],
                "2026-11-24T19:00:00Z", 1, new byte[0], new byte[0]);
        byte[] b = Transcript.encode("dev", "gw1", "S", new byte[0], new byte[0], new byte[0], new byte[0], new byte[0],
                "2026-11-24T19:00:00.000Z", 1, new byte[0], new byte[0]);
        assertFalse(java.util.Arrays.equals(a, b));
    }

    @Test
    void keyScheduleMatchesAnIndependentHkdf() throws Exception {
        byte[] th = MessageDigest.getInstance("SHA-256").digest("transcript".getBytes(StandardCharsets.UTF_8));
        byte[] g = filled(0x11);
        byte[] s = filled(0x22);
        byte[] e = filled(0x33);
        SessionKeys keys = KeySchedule.derive(th, SecretBytes.copyOf(g), SecretBytes.copyOf(s), SecretBytes.copyOf(e));

        byte[] ikm = new byte[96];
        System.arraycopy(g, 0, ikm, 0, 32);
        System.arraycopy(s, 0, ikm, 32, 32);
        System.arraycopy(e, 0, ikm, 64, 32);
        byte[] prk = hmac(th, ikm);
        assertArrayEquals(expandOneBlock(prk, "iomt-pq/v1 device-to-gateway key"), keys.deviceToGateway().revealCopy());
        assertArrayEquals(expandOneBlock(prk, "iomt-pq/v1 gateway-to-device key"), keys.gatewayToDevice().revealCopy());
        assertArrayEquals(expandOneBlock(prk, "iomt-pq/v1 device finished"), keys.deviceFinished().revealCopy());
        assertArrayEquals(expandOneBlock(prk, "iomt-pq/v1 gateway finished"), keys.gatewayFinished().revealCopy());
    }

    @Test
    void theOrderOfTheSharedSecretsMatters() {
        byte[] th = new byte[32];
        SessionKeys a = KeySchedule.derive(th, SecretBytes.copyOf(filled(1)), SecretBytes.copyOf(filled(2)),
                SecretBytes.copyOf(filled(3)));
        SessionKeys b = KeySchedule.derive(th, SecretBytes.copyOf(filled(2)), SecretBytes.copyOf(filled(1)),
                SecretBytes.copyOf(filled(3)));
        assertFalse(a.deviceToGateway().equalsConstantTime(b.deviceToGateway()));
    }

    private static byte[] filled(int value) {
        byte[] b = new byte[32];
        java.util.Arrays.fill(b, (byte) value);
        return b;
    }

    private static byte[] hmac(byte[] key, byte[] data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data);
    }

    /** RFC 5869 T(1) = HMAC(PRK, info || 0x01): one block is exactly 32 bytes. */
    private static byte[] expandOneBlock(byte[] prk, String info) throws Exception {
        byte[] in = Lp.builder().raw(info.getBytes(StandardCharsets.UTF_8)).raw(new byte[] {1}).toByteArray();
        return hmac(prk, in);
    }
}
