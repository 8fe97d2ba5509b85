package org.iomtpq.gateway.camel;

import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * Last step before an answer leaves. Inbound headers are dropped first: netty-http would echo them (the
 * Authorization header included) and paho would forward the consumer's MQTT properties.
 */
public final class Replies {

    public static final String REGISTRY_MODE_HEADER = "X-IoMT-Registry-Mode";

    private final String registryMode;

    public Replies(String registryMode) {
        this.registryMode = registryMode;
    }

    public void prepareHttp(Exchange exchange) {
        Message m = exchange.getMessage();
        m.removeHeaders("*");
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, exchange.getProperty(ExchangeKeys.HTTP_STATUS, 200, Integer.class));
        m.setHeader(Exchange.CONTENT_TYPE, "application/json");
        m.setHeader("Cache-Control", "no-store");
        m.setHeader(REGISTRY_MODE_HEADER, registryMode);
        if (m.getBody() == null) {
            m.setBody("");
        }
    }

    /** Sets the down topic when there is an answer and a topic to send it to (the route's filter checks it). */
    public void prepareMqtt(Exchange exchange) {
        Message m = exchange.getMessage();
        String topic = exchange.getProperty(ExchangeKeys.REPLY_TOPIC, String.class);
        String body = m.getBody(String.class);
        m.removeHeaders("*");
        if (topic != null && body != null && !body.isEmpty()) {
            m.setHeader("CamelPahoMqtt5OverrideTopic", topic);
            m.setHeader("CamelPahoMqtt5Qos", 1);
        }
    }
}
