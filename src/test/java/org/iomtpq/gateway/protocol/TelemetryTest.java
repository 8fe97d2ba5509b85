package org.iomtpq.gateway.protocol;

import static org.iomtpq.gateway.protocol.ProtocolFixtures.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.iomtpq.gateway.crypto.SecretBytes;
import org.junit.jupiter.api.Test;

/** §6: nonce and AAD layout, and every binding of the AEAD. */
class TelemetryTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] KEY = HEX.parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    private static final byte[] SESSION = HEX.parseHex("a0a1a2a3a4a5a6a7a8a9aaabacadaeaf");
    private static final String DEVICE = "BP_MONITOR_001";
    private static final byte[] PLAINTEXT = utf8("{\"observedAt\":\"2026-11-23T19:00:00Z\",\"vitals\":{\"spo2\":96}}");

    @Test
    void nonceLayout() {
        assertEquals("000000000000000000000001", HEX.formatHex(TelemetryCrypto.nonce(1)));
        assertEquals("00000000001fffffffffffff", HEX.formatHex(TelemetryCrypto.nonce(Limits.MAX_MESSAGES_CAP)));
    }

    @Test
    void aadLayout() {
        String expected = "00000014" + HEX.formatHex("iomt-pq/v1/telemetry".getBytes(StandardCharsets.UTF_8))
                + "0000000e" + HEX.formatHex(DEVICE.getBytes(StandardCharsets.UTF_8))
                + "00000010" + "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf"
                + "0000000000000007";
        assertEquals(expected, HEX.formatHex(TelemetryCrypto.aad(DEVICE, SESSION, 7)));
    }

    @Test
    void sealMatchesTheJdksAesGcm() throws Exception {
        byte[] sealed = TelemetryCrypto.seal(SecretBytes.copyOf(KEY), DEVICE, SESSION, 7, PLAINTEXT);
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(KEY, "AES"), new GCMParameterSpec(128, TelemetryCrypto.nonce(7)));
        c.updateAAD(TelemetryCrypto.aad(DEVICE, SESSION, 7));
        assertArrayEquals(c.doFinal(PLAINTEXT), sealed);
        assertEquals(PLAINTEXT.length + 16, sealed.length);
    }

    @Test
    void openRoundTripAndEveryBindingFails() {
        SecretBytes key = SecretBytes.copyOf(KEY);
        byte[] sealed = TelemetryCrypto.seal(key, DEVICE, SESSION, 7, PLAINTEXT);
        assertArrayEquals(PLAINTEXT, TelemetryCrypto.open(key, new TelemetryMessage(DEVICE, SESSION, 7, sealed)));

        for (int i = 0; i < sealed.length; i++) {
            byte[] flipped = sealed.clone();
            flipped[i] ^= (byte) 0x80;
            assertDecryptFailed(key, new TelemetryMessage(DEVICE, SESSION, 7, flipped), 7);
        }
        byte[] otherSession = SESSION.clone();
        otherSession[15] ^= 1;
        List<TelemetryMessage> misbound = List.of(
                new TelemetryMessage("BP_MONITOR_002", SESSION, 7, sealed),
                new TelemetryMessage(DEVICE, otherSession, 7, sealed),
                new TelemetryMessage(DEVICE, SESSION, 8, sealed),
                new TelemetryMessage(DEVICE, SESSION, 7 + (1L << 32), sealed));
        for (TelemetryMessage m : misbound) {
            assertDecryptFailed(key, m, m.seq());
        }
        byte[] otherKey = KEY.clone();
        otherKey[0] ^= 1;
        assertDecryptFailed(SecretBytes.copyOf(otherKey), new TelemetryMessage(DEVICE, SESSION, 7, sealed), 7);
        assertDecryptFailed(key, new TelemetryMessage(DEVICE, SESSION, 7, java.util.Arrays.copyOf(sealed, 16)), 7);
    }

    private static void assertDecryptFailed(SecretBytes key, TelemetryMessage m, long seq) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> TelemetryCrypto.open(key, m));
        assertEquals(ErrorCode.DECRYPT_FAILED, e.code());
        assertEquals(seq, e.seq());
    }

    @Test
    void readingSerialisesInOrderWithPlainNumbers() {
        Map<String, BigDecimal> vitals = new LinkedHashMap<>();
        vitals.put("temperature", new BigDecimal("37.2"));
        vitals.put("systolic", new BigDecimal("1.45E+2"));
        Reading r = new Reading("2026-11-23T19:00:00Z", vitals);
        assertEquals("{\"observedAt\":\"2026-11-23T19:00:00Z\",\"vitals\":{\"temperature\":37.2,\"systolic\":145}}",
                new String(r.toJsonBytes(), StandardCharsets.UTF_8));
        assertTrue(!r.toString().contains("37.2"), "PHI must not appear in toString");
    }
}
