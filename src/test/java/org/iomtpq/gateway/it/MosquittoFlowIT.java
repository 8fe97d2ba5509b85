package org.iomtpq.gateway.it;

import java.util.Map;

import org.iomtpq.gateway.testsupport.MosquittoProcess;

/**
 * The same MQTT flow with the gateway on a real Mosquitto process (iomt.mqtt.url), as deployments run it; skipped
 * when mosquitto is not installed (failed instead when iomt.requireSystemPackages is true).
 */
class MosquittoFlowIT extends AbstractMqttFlow {

    private MosquittoProcess mosquitto;

    @Override
    Map<String, String> brokerSettings() {
        mosquitto = MosquittoProcess.requireOrSkip();
        return Map.of("iomt.mqtt.url", mosquitto.url());
    }

    @Override
    String prefix() {
        return "MOSQ";
    }

    @Override
    void afterGatewayStopped() {
        if (mosquitto != null) {
            mosquitto.close();
        }
    }
}
