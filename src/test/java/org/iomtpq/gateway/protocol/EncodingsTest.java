package org.iomtpq.gateway.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Base64s, Hex0x, Timestamps and Identifiers. */
class EncodingsTest {

    private static ErrorCode codeOf(Runnable r) {
        return assertThrows(ProtocolException.class, r::run).code();
    }

    @Test
    void base64IsCanonicalOnly() {
        assertEquals("AAE=", Base64s.encode(new byte[] {0, 1}));
        assertArrayEquals(new byte[] {0, 1}, Base64s.decode("AAE="));
        assertArrayEquals(new byte[0], Base64s.decode(""));
        for (String bad : List.of("AAE", "AAF=", "AA E=", "AAE=\n", "\nAAE=", "AAE==", "A===", "_-8=", "AA\r\nE=",
                "AAE=AAE=", "****")) {
            assertEquals(ErrorCode.MALFORMED_REQUEST, codeOf(() -> Base64s.decode(bad)), bad);
        }
        assertArrayEquals(new byte[] {(byte) 0xfb, (byte) 0xff}, Base64s.decode("+/8="));
    }

    @Test
    void base64LengthErrorUsesTheGivenCode() {
        assertEquals(ErrorCode.INVALID_KEY, codeOf(() -> Base64s.decode("AAE=", 3, ErrorCode.INVALID_KEY)));
        assertEquals(ErrorCode.MALFORMED_REQUEST, codeOf(() -> Base64s.decode("AAE=", 3, ErrorCode.MALFORMED_REQUEST)));
        // non-canonical is MALFORMED even where the length error would be INVALID_KEY
        assertEquals(ErrorCode.MALFORMED_REQUEST, codeOf(() -> Base64s.decode("AAE", 2, ErrorCode.INVALID_KEY)));
        assertEquals(2, Base64s.decode("AAE=", 2, ErrorCode.INVALID_KEY).length);
    }

    @Test
    void hexIsLowercaseWithPrefix() {
        assertEquals("0x00ff10", Hex0x.encode(new byte[] {0, (byte) 0xff, 0x10}));
        byte[] h = new byte[32];
        h[0] = (byte) 0xab;
        h[31] = 1;
        assertArrayEquals(h, Hex0x.decode32(Hex0x.encode(h)));
        for (String bad : List.of("ab".repeat(32), "0x" + "AB".repeat(32), "0X" + "ab".repeat(32), "0x" + "ab".repeat(31),
                "0x" + "ab".repeat(33), "0x" + "zz".repeat(32), " 0x" + "ab".repeat(32))) {
            assertEquals(ErrorCode.MALFORMED_REQUEST, codeOf(() -> Hex0x.decode32(bad)), bad);
        }
        assertTrue(Hex0x.isAddress("0x" + "00".repeat(20)));
        assertFalse(Hex0x.isAddress("0x" + "00".repeat(32)));
    }

    @Test
    void timestamps() {
        assertEquals("2026-11-23T19:00:00.000Z", Timestamps.format(Instant.parse("2026-11-23T19:00:00Z")));
        assertEquals("2026-11-23T19:00:00.123Z", Timestamps.format(Instant.parse("2026-11-23T19:00:00.123999Z")));
        assertEquals(Instant.parse("2026-11-23T19:00:00.123456789Z"), Timestamps.parse("2026-11-23T19:00:00.123456789Z"));
        for (String bad : List.of("2026-11-23T19:00:00", "2026-11-23T19:00:00z", "2026-11-23T19:00:00+00:00",
                "2026-11-23T19:00:00.Z", "2026-11-23T19:00:00.1234567890Z", "2026-11-31T19:00:00Z", "2026-11-23T25:00:00Z",
                " 2026-11-23T19:00:00Z", "26-11-23T19:00:00Z")) {
            assertEquals(ErrorCode.MALFORMED_REQUEST, codeOf(() -> Timestamps.parse(bad)), bad);
        }
        Instant now = Instant.parse("2026-11-23T19:05:00Z");
        Timestamps.requireFresh("2026-11-23T19:00:00Z", now);
        Timestamps.requireFresh("2026-11-23T19:10:00Z", now);
        assertEquals(ErrorCode.STALE_REQUEST, codeOf(() -> Timestamps.requireFresh("2026-11-23T18:59:59.999Z", now)));
        assertEquals(ErrorCode.STALE_REQUEST, codeOf(() -> Timestamps.requireFresh("2026-11-23T19:10:00.001Z", now)));
        assertEquals(ErrorCode.MALFORMED_REQUEST, codeOf(() -> Timestamps.requireFresh("yesterday", now)));
    }

    @Test
    void identifiers() {
        for (String ok : List.of("BP_MONITOR_001", "abc", "a.b-c_d", "0" + "x".repeat(63))) {
            assertTrue(Identifiers.isValidDeviceId(ok), ok);
            assertTrue(Identifiers.isValidGatewayId(ok), ok);
        }
        for (String bad : List.of("ab", "_abc", ".abc", "a b c", "abc/", "abc#", "abc+", "x".repeat(65), "abc\n")) {
            assertFalse(Identifiers.isValidDeviceId(bad), bad);
            assertEquals(ErrorCode.MALFORMED_REQUEST, codeOf(() -> Identifiers.requireDeviceId(bad)));
        }
        assertFalse(Identifiers.isValidDeviceId(null));
        assertTrue(Identifiers.isValidDeviceType("pulse-oximeter"));
        assertTrue(Identifiers.isValidDeviceType("x".repeat(32)));
        assertFalse(Identifiers.isValidDeviceType("x".repeat(33)));
        assertFalse(Identifiers.isValidDeviceType("Thermometer"));
        assertFalse(Identifiers.isValidDeviceType("bp_monitor"));
    }

    @Test
    void protocolExceptionCarriesSeqOnlyWhenAsked() {
        ProtocolException e = ProtocolException.malformed("bad");
        assertEquals(ErrorCode.MALFORMED_REQUEST, e.code());
        assertEquals(null, e.seq());
        ProtocolException withSeq = e.withSeq(42);
        assertEquals(42L, withSeq.seq());
        assertEquals("bad", withSeq.getMessage());
        assertEquals(ErrorCode.MALFORMED_REQUEST, withSeq.code());
    }
}
