package org.iomtpq.gateway.service;

import org.iomtpq.gateway.protocol.DeviceStatus;

/**
 * Whether a key registry chain backs this gateway. {@code NONE} (development) skips PENDING_CHAIN: enrollments and
 * rotations take effect at once and every txHash is null (PROTOCOL.md §2).
 */
public enum RegistryMode {
    NONE;

    public static RegistryMode parse(String value) {
        if ("none".equalsIgnoreCase(value.trim())) {
            return NONE;
        }
        throw new IllegalStateException("iomt.registry.mode='" + value + "' is not supported yet; use 'none'");
    }

    public DeviceStatus statusOfNewEnrollment() {
        return DeviceStatus.ACTIVE;
    }

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
