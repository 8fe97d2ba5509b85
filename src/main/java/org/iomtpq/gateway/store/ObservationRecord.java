package org.iomtpq.gateway.store;

import java.math.BigDecimal;
import java.util.Map;

/**
 * A decrypted, validated reading as stored in {@code observations}. {@code payloadHash} (SHA-256 of the message bytes
 * as received) lets a byte-identical QoS 1 repeat be recognised without storing the ciphertext twice.
 */
public record ObservationRecord(String sessionId, long seq, String deviceId, String gatewayId, String observedAt,
                                String receivedAt, Map<String, BigDecimal> vitals, Map<String, String> quality,
                                String payloadHash) {

    public ObservationRecord {
        vitals = Map.copyOf(vitals);
        quality = Map.copyOf(quality);
    }
}
