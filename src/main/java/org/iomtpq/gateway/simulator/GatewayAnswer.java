package org.iomtpq.gateway.simulator;

/** What the gateway answered to one device message: the JSON and, over HTTP, the status code (-1 over MQTT). */
public record GatewayAnswer(int httpStatus, String json) {

    public boolean isError() {
        return json != null && json.contains("\"type\":\"error\"");
    }
}
