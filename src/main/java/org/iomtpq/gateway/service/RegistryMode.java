package org.iomtpq.gateway.service;

import org.iomtpq.gateway.protocol.DeviceStatus;

/**
 * Whether a key registry chain backs this gateway (PROTOCOL.md §2, §9).
 * {@code NONE} (development) skips PENDING_CHAIN: enrollments and rotations take effect at once, every txHash is null.
 * {@code CHAIN}: key commitments and revocations go through the outbox to the registry contract, and every handshake
 * checks the stored keys against the active on-chain commitment.
 */
public enum RegistryMode {
    NONE, CHAIN;

    public static RegistryMode parse(String value) {
        return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "none" -> NONE;
            case "chain" -> CHAIN;
            default -> throw new IllegalStateException("iomt.registry.mode must be 'none' or 'chain', got '" + value + "'");
        };
    }

    public DeviceStatus statusOfNewEnrollment() {
        return this == CHAIN ? DeviceStatus.PENDING_CHAIN : DeviceStatus.ACTIVE;
    }

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
