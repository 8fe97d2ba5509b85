package org.iomtpq.gateway.protocol;

import static org.iomtpq.gateway.protocol.ProtocolFixtures.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** §6 plaintext validation: VALIDATION_FAILED for bad shapes, OUT_OF_RANGE quality for implausible values. */
class VitalsTest {

    private static void assertInvalid(String plaintext) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> Vitals.parse(utf8(plaintext)), plaintext);
        assertEquals(ErrorCode.VALIDATION_FAILED, e.code(), plaintext);
        assertFalse(e.getMessage().contains("\"observedAt\""), "messages must not echo the plaintext");
    }

    @Test
    void specExampleValidates() {
        ValidatedReading r = Vitals.parse(utf8("{\"observedAt\":\"2026-11-23T19:00:00Z\",\"vitals\":{\"systolic\":145,"
                + "\"diastolic\":92,\"heartRate\":88,\"spo2\":96,\"temperature\":37.2}}"));
        assertEquals("2026-11-23T19:00:00Z", r.observedAt());
        assertEquals(List.of("systolic", "diastolic", "heartRate", "spo2", "temperature"), List.copyOf(r.vitals().keySet()));
        assertEquals(new BigDecimal("37.2"), r.vitals().get("temperature"));
        assertTrue(r.quality().isEmpty());
    }

    @Test
    void outOfRangeValuesAreKeptAndFlagged() {
        ValidatedReading r = Vitals.parse(utf8("{\"vitals\":{\"systolic\":301,\"spo2\":100,\"temperature\":29.99,"
                + "\"glucose\":10,\"respiratoryRate\":-1},\"observedAt\":\"2026-11-23T19:00:00.5Z\"}"));
        assertEquals(Map.of("systolic", "OUT_OF_RANGE", "temperature", "OUT_OF_RANGE", "respiratoryRate", "OUT_OF_RANGE"),
                r.quality());
        assertEquals(new BigDecimal("301"), r.vitals().get("systolic"));
        assertEquals(5, r.vitals().size());
    }

    @Test
    void rangeBoundsAreInclusive() {
        for (Vitals.Spec spec : Vitals.table().values()) {
            for (BigDecimal v : List.of(spec.min(), spec.max())) {
                String json = "{\"observedAt\":\"2026-11-23T19:00:00Z\",\"vitals\":{\"" + spec.name() + "\":"
                        + v.toPlainString() + "}}";
                assertTrue(Vitals.parse(utf8(json)).quality().isEmpty(), json);
            }
        }
        assertEquals(7, Vitals.table().size());
        assertEquals("Cel", Vitals.spec("temperature").orElseThrow().unit());
        assertEquals("mg/dL", Vitals.spec("glucose").orElseThrow().unit());
    }

    @Test
    void badPlaintextsAreValidationFailed() {
        String ts = "\"observedAt\":\"2026-11-23T19:00:00Z\"";
        for (String bad : List.of(
                "", "not json", "[]", "{}", "null",
                "{" + ts + "}",
                "{\"vitals\":{\"spo2\":96}}",
                "{" + ts + ",\"vitals\":{}}",
                "{" + ts + ",\"vitals\":{\"spo2\":\"96\"}}",
                "{" + ts + ",\"vitals\":{\"spo2\":null}}",
                "{" + ts + ",\"vitals\":{\"spo2\":true}}",
                "{" + ts + ",\"vitals\":{\"spo2\":[96]}}",
                "{" + ts + ",\"vitals\":{\"spo2\":{\"$gt\":0}}}",
                "{" + ts + ",\"vitals\":{\"bloodType\":1}}",
                "{" + ts + ",\"vitals\":{\"spo2\":96,\"spo2\":97}}",
                "{" + ts + ",\"vitals\":{\"spo2\":96},\"note\":\"x\"}",
                "{" + ts + "," + ts + ",\"vitals\":{\"spo2\":96}}",
                "{" + ts + ",\"vitals\":[96]}",
                "{" + ts + ",\"vitals\":{\"spo2\":96}}x",
                "{" + ts + ",\"vitals\":{\"spo2\":NaN}}",
                "{" + ts + ",\"vitals\":{\"spo2\":1e999999999}}",
                "{" + ts + ",\"vitals\":{\"spo2\":0.000000000000000000001}}",
                "{\"observedAt\":\"2026-11-23 19:00:00\",\"vitals\":{\"spo2\":96}}",
                "{\"observedAt\":\"2026-02-30T19:00:00Z\",\"vitals\":{\"spo2\":96}}",
                "{\"observedAt\":1700000000,\"vitals\":{\"spo2\":96}}")) {
            assertInvalid(bad);
        }
        byte[] invalidUtf8 = {'{', '"', (byte) 0xC3, 0x28, '"', ':', '1', '}'};
        assertEquals(ErrorCode.VALIDATION_FAILED, assertThrows(ProtocolException.class, () -> Vitals.parse(invalidUtf8)).code());
    }
}
