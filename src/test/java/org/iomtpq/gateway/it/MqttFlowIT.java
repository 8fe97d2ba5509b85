package org.iomtpq.gateway.it;

import java.util.Map;

/** The MQTT flow against the embedded broker (HiveMQ CE) the gateway starts by default. */
class MqttFlowIT extends AbstractMqttFlow {

    @Override
    Map<String, String> brokerSettings() {
        return Map.of();
    }

    @Override
    String prefix() {
        return "EMB";
    }
}
