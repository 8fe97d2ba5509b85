package org.iomtpq.gateway.protocol;

import java.util.Objects;

/** {@code rotation} (§5a): {@code keyCommitment} is the NEW commitment; {@code txHash} may be {@code null}. */
public record RotationMessage(String deviceId, String status, String keyCommitment, String txHash) {
    public RotationMessage {
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(keyCommitment, "keyCommitment");
    }
}
