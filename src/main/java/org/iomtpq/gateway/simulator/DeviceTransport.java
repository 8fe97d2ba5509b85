package org.iomtpq.gateway.simulator;

import java.time.Duration;
import java.util.Optional;

import org.iomtpq.gateway.protocol.Step;

/** How a simulated device reaches the gateway: the protocol is the same over HTTP and MQTT (PROTOCOL.md §3). */
public interface DeviceTransport extends AutoCloseable {

    /** Sends one message and waits for its answer. Telemetry over MQTT has no answer unless it failed: empty. */
    Optional<GatewayAnswer> send(String deviceId, Step step, String json, Duration timeout);

    /** Over MQTT, an error that arrived for a telemetry message within {@code wait}; HTTP has none pending. */
    default Optional<GatewayAnswer> pendingError(String deviceId, Duration wait) {
        return Optional.empty();
    }

    String name();

    @Override
    void close();
}
