package org.iomtpq.gateway.protocol;

import java.util.Objects;

/** {@code enrolled} (§4). {@code txHash} is {@code null} until submitted (and always without a chain). */
public record EnrolledMessage(String deviceId, String status, String deviceIdHash, String keyCommitment,
                              String txHash) {
    public EnrolledMessage {
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(deviceIdHash, "deviceIdHash");
        Objects.requireNonNull(keyCommitment, "keyCommitment");
    }
}
