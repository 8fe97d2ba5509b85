package org.iomtpq.gateway.service;

import java.util.Optional;

import org.iomtpq.gateway.protocol.DeviceStatus;
import org.iomtpq.gateway.protocol.ErrorCode;
import org.iomtpq.gateway.protocol.ProtocolException;
import org.iomtpq.gateway.store.DeviceRecord;

/** The status checks shared by handshake and rotation (PROTOCOL.md §5 step 2, §5a). */
final class DeviceChecks {

    private DeviceChecks() {
    }

    static DeviceRecord requireActive(Optional<DeviceRecord> found) {
        DeviceRecord device = found.orElseThrow(
                () -> new ProtocolException(ErrorCode.UNKNOWN_DEVICE, "no device with this id is enrolled"));
        if (device.status() == DeviceStatus.REVOKED) {
            throw new ProtocolException(ErrorCode.DEVICE_REVOKED, "device is revoked");
        }
        if (device.status() != DeviceStatus.ACTIVE) {
            throw new ProtocolException(ErrorCode.DEVICE_NOT_ACTIVE, "device is " + device.status());
        }
        return device;
    }
}
