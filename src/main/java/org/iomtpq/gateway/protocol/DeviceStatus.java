package org.iomtpq.gateway.protocol;

/** Device registration status (PROTOCOL.md §2). */
public enum DeviceStatus {
    /** Stored; registration not yet mined. */
    PENDING_CHAIN,
    ACTIVE,
    REVOKED,
    /** The registration transaction reverted. */
    REGISTRATION_FAILED;

    /** Statuses in which the device's keys are in force (idempotent re-enrollment, ALREADY_ENROLLED). */
    public boolean holdsKeys() {
        return this == PENDING_CHAIN || this == ACTIVE;
    }
}
