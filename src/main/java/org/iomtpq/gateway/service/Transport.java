package org.iomtpq.gateway.service;

import java.util.EnumSet;
import java.util.Set;

/**
 * How a device message arrived, and the one place that says what each transport can do. Services never ask for a
 * transport by name: they ask {@link RequestContext} for a {@link Capability}. A new transport is a route file, an
 * ingress adapter that names its constant, and a constant here listing its capabilities.
 */
public enum Transport {

    /** Request and response: the caller waits for the answer, retries itself, and proves itself with a bearer token. */
    HTTP("http", "path", EnumSet.of(Capability.ANSWERS_STORED_TELEMETRY)),

    /** MQTT 5 QoS 1 through a broker: at least once, acknowledged when answered; publishers are only devices. */
    MQTT("mqtt", "topic", EnumSet.of(Capability.UNACKNOWLEDGED_UNTIL_ANSWERED,
            Capability.IDENTICAL_REPEATS_ARE_REDELIVERIES, Capability.ENROLLMENT_NEEDS_APPROVAL));

    /** What a transport does that changes how a protocol step is handled; see the methods of {@link RequestContext}. */
    enum Capability {
        UNACKNOWLEDGED_UNTIL_ANSWERED,
        IDENTICAL_REPEATS_ARE_REDELIVERIES,
        ENROLLMENT_NEEDS_APPROVAL,
        ANSWERS_STORED_TELEMETRY
    }

    private final String wireName;
    private final String deviceAddress;
    private final Set<Capability> capabilities;

    Transport(String wireName, String deviceAddress, Set<Capability> capabilities) {
        this.wireName = wireName;
        this.deviceAddress = deviceAddress;
        this.capabilities = capabilities;
    }

    /** As recorded (a device's {@code enrolledVia}, audit messages, dead letters) and in the routes' exchange property. */
    public String wireName() {
        return wireName;
    }

    /** What names the device a message is addressed to, for error messages: the MQTT topic, the HTTP path. */
    public String deviceAddress() {
        return deviceAddress;
    }

    boolean can(Capability capability) {
        return capabilities.contains(capability);
    }
}
