package org.iomtpq.gateway.chain;

/** {@code getDeviceKey}: the last commitment registered for a device id (zero bytes when never) and whether it is active. */
public record DeviceKey(byte[] commitment, boolean active) {
}
