package org.iomtpq.gateway.protocol;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A decrypted and validated telemetry plaintext. {@code quality} maps each vital outside its plausible range
 * to {@code "OUT_OF_RANGE"}; such values are stored, flagged, not rejected. toString omits the values (PHI).
 */
public record ValidatedReading(String observedAt, Map<String, BigDecimal> vitals, Map<String, String> quality) {
    public static final String OUT_OF_RANGE = "OUT_OF_RANGE";

    public ValidatedReading {
        Objects.requireNonNull(observedAt, "observedAt");
        vitals = Collections.unmodifiableMap(new LinkedHashMap<>(vitals));
        quality = Collections.unmodifiableMap(new LinkedHashMap<>(quality));
    }

    @Override
    public String toString() {
        return "ValidatedReading[observedAt=" + observedAt + ", vitals=" + vitals.keySet() + ", quality=" + quality + "]";
    }
}
