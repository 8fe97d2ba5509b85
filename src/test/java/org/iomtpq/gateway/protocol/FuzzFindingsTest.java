package org.iomtpq.gateway.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * One test per finding of the fuzz targets (README "Fuzzing"), each with the input that found it (also kept in the
 * target's corpus as {@code finding-*}, so the regression run replays it too).
 */
class FuzzFindingsTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * MessageCodecFuzzTest#rawMessage: an escaped unpaired surrogate passed strict UTF-8 (the bytes are ASCII) and was
     * accepted in a string field; written back it became '?', so the message changed on a round trip. Now every string
     * value must be Unicode text.
     */
    @Test
    void anEscapedUnpairedSurrogateInAStringIsMalformed() {
        byte[] found = utf8("{\"type\":\"error\",\"v\":1,\"code\":\"REPLAY\",\"message\":\"setelDuplicate fi\\ud800try\",\"seq\":7}");
        ProtocolException e = assertThrows(ProtocolException.class, () -> MessageCodec.parseError(found));
        assertEquals(ErrorCode.MALFORMED_REQUEST, e.code());
        for (String s : new String[] {"\\udc00", "x\\ud800", "\\udfff\\ud800", "\\ud800\\u0041"}) {
            byte[] body = utf8("{\"type\":\"error\",\"v\":1,\"code\":\"REPLAY\",\"message\":\"" + s + "\"}");
            assertEquals(ErrorCode.MALFORMED_REQUEST,
                    assertThrows(ProtocolException.class, () -> MessageCodec.parseError(body)).code(), s);
        }
        // a pair, escaped or not, is text
        assertEquals("\ud83d\ude00", MessageCodec.parseError(utf8(
                "{\"type\":\"error\",\"v\":1,\"code\":\"REPLAY\",\"message\":\"\\ud83d\\ude00\"}")).message());
        assertEquals("\ud83d\ude00", MessageCodec.parseError(utf8(
                "{\"type\":\"error\",\"v\":1,\"code\":\"REPLAY\",\"message\":\"\ud83d\ude00\"}")).message());
    }

    /**
     * TelemetryPlaintextFuzzTest#plaintext: a vital whose exponent is beyond BigDecimal's made Jackson throw an unchecked
     * NumberFormatException out of Vitals.parse; the gateway answered UNAVAILABLE ("internal error, retry") and logged a
     * stack trace instead of VALIDATION_FAILED. Exponents that fit stay the range check's business.
     */
    @Test
    void aVitalWithAnExponentBeyondBigDecimalIsValidationFailed() {
        for (String number : new String[] {"1E6666666666666662", "1e-99999999999", "-9E2147483648", "0.1e2147483648"}) {
            byte[] plaintext = utf8("{\"observedAt\":\"2026-11-23T19:00:00Z\",\"vitals\":{\"spo2\":" + number + "}}");
            ProtocolException e = assertThrows(ProtocolException.class, () -> Vitals.parse(plaintext), number);
            assertEquals(ErrorCode.VALIDATION_FAILED, e.code(), number);
            assertEquals("vital 'spo2' is not a plausible decimal number", e.getMessage(), number);
        }
        assertEquals(ErrorCode.VALIDATION_FAILED, assertThrows(ProtocolException.class, () -> Vitals.parse(utf8(
                "{\"observedAt\":\"2026-11-23T19:00:00Z\",\"vitals\":{\"spo2\":1e999999999}}"))).code());
    }

    /**
     * TelemetryPlaintextFuzzTest#plaintext: 0e999999999 is zero, below the magnitude limit, with scale -999999999; only
     * the upper bound of the scale was checked, so it was accepted (stored as 0, flagged out of range) although the
     * validator exists to refuse such numbers, and a reading holding it could not be written back (Reading.toJsonBytes
     * threw: Jackson writes plain decimals only with |scale| <= 9999). Ordinary exponents are fine.
     */
    @Test
    void zeroWithAHugeExponentIsValidationFailed() {
        for (String number : new String[] {"0e999999999", "0E+18", "-0e9999", "0.0e100"}) {
            byte[] plaintext = utf8("{\"observedAt\":\"2026-11-23T19:00:00Z\",\"vitals\":{\"spo2\":" + number + "}}");
            assertEquals(ErrorCode.VALIDATION_FAILED,
                    assertThrows(ProtocolException.class, () -> Vitals.parse(plaintext), number).code(), number);
        }
        for (String number : new String[] {"0e17", "0", "1E+2", "9.99E+14", "0.00000000000000001"}) {
            ValidatedReading r = Vitals.parse(utf8(
                    "{\"observedAt\":\"2026-11-23T19:00:00Z\",\"vitals\":{\"glucose\":" + number + "}}"));
            assertEquals(0, new java.math.BigDecimal(number).compareTo(r.vitals().get("glucose")), number);
            new Reading(r.observedAt(), r.vitals()).toJsonBytes(); // and a device can write it
        }
    }
}
