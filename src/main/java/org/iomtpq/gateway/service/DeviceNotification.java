package org.iomtpq.gateway.service;

/** A message the gateway sends a device unasked, on {@code iomt/v1/{deviceId}/down} (second enrolled/rotation, errors). */
public record DeviceNotification(String deviceId, String json) {

    public String topic() {
        return "iomt/v1/" + deviceId + "/down";
    }
}
