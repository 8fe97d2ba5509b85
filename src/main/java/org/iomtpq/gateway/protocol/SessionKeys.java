package org.iomtpq.gateway.protocol;

import java.util.Objects;
import org.iomtpq.gateway.crypto.SecretBytes;

/**
 * The four 32-byte keys of §5. {@code gatewayToDevice} is reserved for a downlink and unused today.
 * Call {@link #destroy()} when the session ends; toString never shows key bytes.
 */
public record SessionKeys(SecretBytes deviceToGateway, SecretBytes gatewayToDevice, SecretBytes deviceFinished,
                          SecretBytes gatewayFinished) {
    public SessionKeys {
        Objects.requireNonNull(deviceToGateway, "deviceToGateway");
        Objects.requireNonNull(gatewayToDevice, "gatewayToDevice");
        Objects.requireNonNull(deviceFinished, "deviceFinished");
        Objects.requireNonNull(gatewayFinished, "gatewayFinished");
    }

    public void destroy() {
        deviceToGateway.destroy();
        gatewayToDevice.destroy();
        deviceFinished.destroy();
        gatewayFinished.destroy();
    }

    @Override
    public String toString() {
        return "SessionKeys[redacted]";
    }
}
