package org.iomtpq.gateway.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A telemetry plaintext (§6) as the device builds it: {@code observedAt} and vitals in insertion order.
 * toString omits the values (vital signs are PHI).
 */
public record Reading(String observedAt, Map<String, BigDecimal> vitals) {
    public Reading {
        Objects.requireNonNull(observedAt, "observedAt");
        vitals = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(vitals, "vitals")));
    }

    /** UTF-8 JSON {"observedAt":…,"vitals":{…}}; numbers in plain notation (no exponent). */
    public byte[] toJsonBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        try (JsonGenerator g = StrictJson.FACTORY.createGenerator(out)) {
            g.enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN.mappedFeature());
            g.writeStartObject();
            g.writeStringField("observedAt", observedAt);
            g.writeObjectFieldStart("vitals");
            for (Map.Entry<String, BigDecimal> e : vitals.entrySet()) {
                g.writeNumberField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return out.toByteArray();
    }

    @Override
    public String toString() {
        return "Reading[observedAt=" + observedAt + ", vitals=" + vitals.keySet() + "]";
    }
}
