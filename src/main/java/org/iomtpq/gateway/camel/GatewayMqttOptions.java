package org.iomtpq.gateway.camel;

import java.nio.charset.StandardCharsets;

import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.iomtpq.gateway.net.NoDelaySocketFactory;

/** How the gateway's own MQTT clients connect: reconnecting by themselves, no Nagle delay on tcp://, its credentials. */
final class GatewayMqttOptions {

    private GatewayMqttOptions() {
    }

    static MqttConnectionOptions of(String brokerUrl, String userName, String password) {
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setAutomaticReconnect(true);
        if (brokerUrl.startsWith("tcp://")) {
            options.setSocketFactory(new NoDelaySocketFactory()); // ssl:// keeps Paho's TLS factory
        }
        if (userName != null && !userName.isBlank()) {
            options.setUserName(userName);
            options.setPassword(password == null ? new byte[0] : password.getBytes(StandardCharsets.UTF_8));
        }
        return options;
    }
}
