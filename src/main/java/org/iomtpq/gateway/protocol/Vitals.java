package org.iomtpq.gateway.protocol;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The vital-sign table of §6 and the validator for decrypted telemetry plaintexts. */
public final class Vitals {
    /** One row of the §6 table; the plausible range is inclusive. */
    public record Spec(String name, String unit, BigDecimal min, BigDecimal max) {
        public boolean inRange(BigDecimal v) {
            return v.compareTo(min) >= 0 && v.compareTo(max) <= 0;
        }
    }

    private static final Map<String, Spec> TABLE;
    // Beyond these a number is not a measurement: reject it rather than store a value that may be
    // expensive to print (1e999999999) or silently rounded by consumers holding doubles.
    private static final BigDecimal MAGNITUDE_LIMIT = new BigDecimal("1e15");
    private static final int MAX_SCALE = 17;

    static {
        Map<String, Spec> t = new LinkedHashMap<>();
        add(t, "systolic", "mmHg", "40", "300");
        add(t, "diastolic", "mmHg", "20", "200");
        add(t, "heartRate", "/min", "20", "300");
        add(t, "spo2", "%", "50", "100");
        add(t, "temperature", "Cel", "30", "45");
        add(t, "respiratoryRate", "/min", "4", "80");
        add(t, "glucose", "mg/dL", "10", "1000");
        TABLE = Collections.unmodifiableMap(t);
    }

    private Vitals() {
    }

    private static void add(Map<String, Spec> t, String name, String unit, String min, String max) {
        t.put(name, new Spec(name, unit, new BigDecimal(min), new BigDecimal(max)));
    }

    /** Name → spec, in the table's order. */
    public static Map<String, Spec> table() {
        return TABLE;
    }

    public static Optional<Spec> spec(String name) {
        return Optional.ofNullable(TABLE.get(name));
    }

    /**
     * Validates {@code {"observedAt":…,"vitals":{…}}}: anything not strict JSON of exactly that shape, an
     * unknown vital, a non-number, no vital at all, or a bad observedAt is {@code VALIDATION_FAILED}.
     * Messages name fields and vitals, never values.
     */
    public static ValidatedReading parse(byte[] plaintext) {
        if (plaintext == null || plaintext.length > Limits.MAX_MESSAGE_BYTES) {
            throw ProtocolException.validationFailed("plaintext is missing or too large");
        }
        String text = StrictJson.text(plaintext, ErrorCode.VALIDATION_FAILED);
        String observedAt = null;
        Map<String, BigDecimal> vitals = null;
        try (JsonParser p = StrictJson.parser(text)) {
            expect(p.nextToken() == JsonToken.START_OBJECT, "plaintext is not a JSON object");
            for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if ("observedAt".equals(field)) {
                    expect(value == JsonToken.VALUE_STRING && Timestamps.isWellFormed(p.getText()),
                            "observedAt must be an RFC 3339 UTC timestamp");
                    observedAt = p.getText();
                    validTimestamp(observedAt);
                } else if ("vitals".equals(field)) {
                    expect(value == JsonToken.START_OBJECT, "vitals must be a JSON object");
                    vitals = readVitals(p);
                } else {
                    throw ProtocolException.validationFailed("unknown field " + FlatJsonObject.safeName(field));
                }
            }
            expect(p.nextToken() == null, "trailing content after the plaintext object");
        } catch (IOException e) {
            throw ProtocolException.validationFailed("plaintext " + StrictJson.describe(e).replace("body ", ""));
        }
        expect(observedAt != null, "missing field 'observedAt'");
        expect(vitals != null, "missing field 'vitals'");
        expect(!vitals.isEmpty(), "at least one vital is required");
        Map<String, String> quality = new LinkedHashMap<>();
        for (Map.Entry<String, BigDecimal> e : vitals.entrySet()) {
            if (!TABLE.get(e.getKey()).inRange(e.getValue())) {
                quality.put(e.getKey(), ValidatedReading.OUT_OF_RANGE);
            }
        }
        return new ValidatedReading(observedAt, vitals, quality);
    }

    private static Map<String, BigDecimal> readVitals(JsonParser p) throws IOException {
        Map<String, BigDecimal> vitals = new LinkedHashMap<>();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if (!TABLE.containsKey(name)) {
                throw ProtocolException.validationFailed("unknown vital " + FlatJsonObject.safeName(name));
            }
            expect(value == JsonToken.VALUE_NUMBER_INT || value == JsonToken.VALUE_NUMBER_FLOAT,
                    "vital '" + name + "' must be a JSON number");
            BigDecimal v;
            try {
                v = p.getDecimalValue();
            } catch (NumberFormatException | ArithmeticException e) {
                // an exponent beyond BigDecimal's (1E6666666666666662): Jackson throws unchecked (found by fuzzing)
                throw ProtocolException.validationFailed("vital '" + name + "' is not a plausible decimal number");
            }
            // |scale| bounded both ways: 0e999999999 is zero (below the magnitude limit) with scale -999999999, which
            // slipped through when only the upper bound was checked (found by fuzzing)
            expect(v.abs().compareTo(MAGNITUDE_LIMIT) < 0 && v.scale() <= MAX_SCALE && v.scale() >= -MAX_SCALE,
                    "vital '" + name + "' is not a plausible decimal number");
            vitals.put(name, v);
        }
        return vitals;
    }

    private static void validTimestamp(String ts) {
        try {
            Timestamps.parse(ts);
        } catch (ProtocolException e) {
            throw ProtocolException.validationFailed("observedAt is not a valid date and time");
        }
    }

    private static void expect(boolean condition, String message) {
        if (!condition) {
            throw ProtocolException.validationFailed(message);
        }
    }
}
