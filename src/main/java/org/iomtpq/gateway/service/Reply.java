package org.iomtpq.gateway.service;

/**
 * What the gateway answers: an HTTP status and a JSON body. {@code json} null means "no answer" (accepted MQTT
 * telemetry, or a QoS 1 repeat of it).
 */
public record Reply(int httpStatus, String json) {

    public static Reply ok(String json) {
        return new Reply(200, json);
    }

    public static Reply created(String json) {
        return new Reply(201, json);
    }

    public static Reply silent() {
        return new Reply(200, null);
    }

    public boolean hasBody() {
        return json != null;
    }
}
