package org.iomtpq.gateway.fhir;

import java.math.BigDecimal;
import java.util.Map;
import java.util.Set;

/**
 * One stored reading as the FHIR mapping needs it: who sent it, in which session and at which seq (its identity on
 * every retry), when it was measured and received, its vitals (§6 names) and which of them were outside their
 * plausible range. toString leaves the values out (PHI).
 */
public record StoredReading(String deviceId, String deviceType, String sessionId, long seq, String observedAt,
                      String receivedAt, Map<String, BigDecimal> vitals, Set<String> outOfRange) {

    public StoredReading {
        vitals = Map.copyOf(vitals);
        outOfRange = Set.copyOf(outOfRange);
    }

    @Override
    public String toString() {
        return "StoredReading[" + deviceId + " " + sessionId + "/" + seq + ", vitals " + vitals.keySet() + "]";
    }
}
