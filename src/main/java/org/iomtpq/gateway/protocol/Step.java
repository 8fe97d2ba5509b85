package org.iomtpq.gateway.protocol;

import java.util.Optional;

/** The device-initiated steps of §3; {@link #wire()} is both the request {@code type} and the {@code inReplyTo} value. */
public enum Step {
    ENROLL("enroll"),
    HELLO("hello"),
    FINISHED("finished"),
    TELEMETRY("telemetry"),
    ROTATE("rotate");

    private final String wire;

    Step(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public static Optional<Step> fromWire(String wire) {
        for (Step step : values()) {
            if (step.wire.equals(wire)) {
                return Optional.of(step);
            }
        }
        return Optional.empty();
    }
}
