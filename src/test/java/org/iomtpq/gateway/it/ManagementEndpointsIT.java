package org.iomtpq.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.iomtpq.gateway.config.EphemeralGateway;
import org.iomtpq.gateway.protocol.DeviceIdentity;
import org.iomtpq.gateway.protocol.DeviceSession;
import org.iomtpq.gateway.protocol.MessageCodec;
import org.iomtpq.gateway.simulator.SimulatedDevice;
import org.iomtpq.gateway.simulator.VitalSigns;
import org.iomtpq.gateway.tools.LocalFhirServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 item 2: the management port of a real gateway (FHIR export on), scraped while devices enroll, handshake
 * and stream over HTTP: the metrics count what happened, without a deviceId or value in them; readiness is
 * 200 with every part up and 503 naming the FHIR server once it is stopped, while liveness stays 200.
 */
class ManagementEndpointsIT {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthAndMetricsAnswerDuringTheDemoFlow() throws Exception {
        try (LocalFhirServer fhir = new LocalFhirServer(EphemeralGateway.freeLoopbackPort()).start();
             GatewayFixture gw = GatewayFixture.start(dir, Map.of("iomt.fhir.base-url", fhir.baseUrl()))) {
            String observe = gw.runtime().managementBaseUrl();
            HttpResponse<String> ready = get(observe + "/health/ready");
            assertEquals(200, ready.statusCode(), ready.body());
            assertTrue(ready.body().contains("\"mongodb\":\"UP\"") && ready.body().contains("\"mqtt-broker\":\"UP\"")
                    && ready.body().contains("\"fhir\":\"UP\""), ready.body());

            DeviceIdentity id = DeviceIdentity.generate("BP_OBSERVE_001", "bp-monitor", RANDOM);
            assertEquals(201, gw.postAsOperator("/devices", Forge.enroll(id, Instant.now(), RANDOM)).status());
            DeviceSession session = new SimulatedDevice(id, gw.httpTransport(), RANDOM)
                    .handshake(GatewayFixture.GATEWAY_ID, gw.gatewayKey());
            for (int i = 0; i < 20; i++) {
                assertEquals(201, gw.post("/telemetry", MessageCodec.toJson(session.seal(VitalSigns.originalSample()))).status());
            }
            assertTrue(gw.post("/telemetry", "{not json").status() >= 400, "a refused message, to count");
            GatewayFixture.awaitTrue("the FHIR export of 20 readings", Duration.ofSeconds(30),
                    () -> fhir.observations().size() == 20 * 4);

            HttpResponse<String> metrics = get(observe + "/metrics");
            assertEquals(200, metrics.statusCode());
            String text = metrics.body();
            assertTrue(text.contains("iomt_messages_accepted_total{transport=\"http\",type=\"telemetry\"} 20.0"), text);
            assertTrue(text.contains("iomt_messages_rejected_total{code=\"MALFORMED_REQUEST\",transport=\"http\",type=\"telemetry\"}")
                    || text.contains("iomt_messages_rejected_total{code=\"VALIDATION_FAILED\""), text);
            assertTrue(text.contains("iomt_handshakes_total{outcome=\"established\",transport=\"http\"} 1.0"), text);
            assertTrue(text.contains("iomt_publish_to_stored_seconds_bucket{transport=\"http\",le=\"0.05\"}"), text);
            assertTrue(text.contains("iomt_handshake_step_seconds_count{step=\"hello\",transport=\"http\"} 1"), text);
            assertTrue(text.contains("iomt_fhir_delivered_readings_total 20.0"), text);
            assertTrue(text.contains("iomt_fhir_backlog 0.0") && text.contains("iomt_sessions_live 1.0"), text);
            assertTrue(text.contains("iomt_write_batch_records_total 20.0"), text);
            assertFalse(text.contains("BP_OBSERVE_001"), "no deviceId in the metrics");
            assertFalse(text.contains(gw.operatorToken()), "no token in the metrics");

            fhir.stop();
            Thread.sleep(2_100); // past the kept answer
            HttpResponse<String> down = get(observe + "/health");
            assertEquals(503, down.statusCode(), down.body());
            assertTrue(down.body().contains("\"down\":[\"fhir\"]"), down.body());
            assertEquals(200, get(observe + "/health/live").statusCode());
            assertEquals(201, gw.post("/telemetry", MessageCodec.toJson(session.seal(VitalSigns.originalSample()))).status(),
                    "ingestion does not wait for FHIR");
        }
    }
}
