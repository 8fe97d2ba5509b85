package org.iomtpq.gateway.camel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.EndpointInject;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.Route;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.apache.camel.test.main.junit5.Configure;
import org.bson.Document;
import org.bson.types.Binary;
import org.iomtpq.gateway.protocol.DeviceHandshake;
import org.iomtpq.gateway.protocol.DeviceIdentity;
import org.iomtpq.gateway.protocol.DeviceSession;
import org.iomtpq.gateway.protocol.ErrorMessage;
import org.iomtpq.gateway.protocol.MessageCodec;
import org.iomtpq.gateway.simulator.VitalSigns;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The real {@code routes/*.camel.yaml} on camel-test-main: the REST and MQTT consumers are replaced by direct:
 * endpoints, and the routes' {@code mongodb:} and {@code paho-mqtt5:} endpoints are mocked and skipped, so these
 * tests check the wiring (which step runs, what is stored, what is answered where) without a broker.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@CamelMainTest(
        properties = {
            "camel.rest.inline-routes=false",
            "iomt.gateway-id=gateway-01",
            "iomt.http.host=127.0.0.1",
            "iomt.http.port=0",
            "iomt.management.port=0",
            "iomt.mongo.database=iomt",
            "iomt.mqtt.up-topic=iomt/v1/+/up/+",
            "iomt.mqtt.client-id=route-test",
            "iomt.mqtt.session-expiry-seconds=60",
            "iomt.mqtt.storage-retries=1",
            "iomt.mqtt.consumer-threads=2",
            "iomt.registry.mode=none",
            "iomt.outbox.relay-period-ms=500",
            "iomt.eth.rpc-url=http://127.0.0.1:1",
            "iomt.registry.address=",
            "iomt.eth.events-from-block=latest",
            "iomt.audit.anchor-interval-ms=30000",
            "iomt.retention.enabled=true",
            "iomt.retention.interval-ms=3600000",
            "iomt.telemetry.device-changes-poll-ms=1000",
            "iomt.mqtt.storage-retry-delay-ms=10",
            "camel.component.paho-mqtt5.broker-url=tcp://127.0.0.1:1",
            // the mocked producers are never used: they must not try to reach a broker at start
            "camel.component.paho-mqtt5.lazy-start-producer=true"
        },
        replaceRouteFromWith = {
            "mqtt-ingest=direct:mqtt-in",
            "gateway-record-publisher=direct:publish-gateway-record",
            "rest-enroll=direct:rest-enroll", "rest-hello=direct:rest-hello", "rest-finished=direct:rest-finished",
            "rest-telemetry=direct:rest-telemetry", "rest-rotate=direct:rest-rotate", "rest-approval=direct:rest-approval",
            "rest-revoke=direct:rest-revoke", "rest-gateway=direct:rest-gateway", "rest-devices=direct:rest-devices",
            "rest-device=direct:rest-device", "rest-registration=direct:rest-registration", "rest-status=direct:rest-status",
            "rest-device-audit=direct:rest-device-audit", "rest-observations=direct:rest-observations",
            "rest-gateway-audit=direct:rest-gateway-audit", "rest-audit=direct:rest-audit", "rest-stats=direct:rest-stats",
            "management=direct:management"
        },
        mockEndpointsAndSkip = "(mongodb|paho-mqtt5):.*")
class GatewayRoutesTest {

    private final RouteTestBeans beans = new RouteTestBeans();
    private final SecureRandom random = new SecureRandom();

    @EndpointInject("mock:mongodb:mongoClient")
    MockEndpoint mongo;

    @EndpointInject("mock:paho-mqtt5:iomt/v1/down")
    MockEndpoint mqttDown;

    @org.apache.camel.BeanInject
    CamelContext context;

    @org.apache.camel.Produce
    ProducerTemplate template;

    @Configure
    void configure(MainConfigurationProperties configuration) {
        beans.bindInto(configuration);
    }

    @BeforeEach
    void resetMocks() {
        MockEndpoint.resetMocks(context);
    }

    @AfterAll
    void close() {
        beans.close();
    }

    @Test
    void everyRouteHasAnExplicitId() {
        for (Route route : context.getRoutes()) {
            assertFalse(route.getRouteId().matches("route\\d+"), "route without an id: " + route.getEndpoint());
        }
    }

    @Test
    void httpEnrollmentNeedsTheOperatorTokenAndNeverEchoesIt() {
        Exchange refused = post("direct:rest-enroll", enrollJson(device("ROUTE_NO_TOKEN")), "Bearer wrong");
        assertEquals(401, status(refused));
        ErrorMessage error = MessageCodec.parseError(body(refused));
        assertEquals("UNAUTHORIZED", error.code().name());
        assertEquals("enroll", error.inReplyTo());
        assertNull(refused.getMessage().getHeader("Authorization"), "inbound headers must not be echoed");

        Exchange accepted = post("direct:rest-enroll", enrollJson(device("ROUTE_TOKEN")), "Bearer " + RouteTestBeans.OPERATOR_TOKEN);
        assertEquals(201, status(accepted));
        assertEquals("ACTIVE", MessageCodec.parseEnrolled(body(accepted)).status());
        assertEquals("none", accepted.getMessage().getHeader("X-IoMT-Registry-Mode"));
    }

    @Test
    void httpTelemetryIsStoredBeforeItIsAcknowledged() throws Exception {
        DeviceIdentity id = device("ROUTE_HTTP_BP");
        enrollOverHttp(id);
        DeviceSession session = handshakeOverHttp(id);
        var observations = beans.client.getDatabase("iomt").getCollection("observations");
        long before = observations.countDocuments(new Document("deviceId", "ROUTE_HTTP_BP"));

        Exchange answer = post("direct:rest-telemetry", MessageCodec.toJson(session.seal(VitalSigns.originalSample())), null);

        // the write step (storeObservation, group commit) writes through the driver, not the mocked mongodb: endpoint
        assertEquals(201, status(answer));
        assertEquals(1, MessageCodec.parseAck(body(answer)).seq());
        assertEquals(before + 1, observations.countDocuments(new Document("deviceId", "ROUTE_HTTP_BP")),
                "201 only after the observation is in MongoDB");
        Document stored = observations.find(new Document("deviceId", "ROUTE_HTTP_BP")).first();
        assertEquals(145.0, stored.get("vitals", Document.class).getDouble("systolic"));

        Exchange repeat = post("direct:rest-telemetry", MessageCodec.toJson(session.seal(1, VitalSigns.originalSample().toJsonBytes())), null);
        assertEquals(409, status(repeat), "the same seq again over HTTP is REPLAY");
        assertEquals(before + 1, observations.countDocuments(new Document("deviceId", "ROUTE_HTTP_BP")));
    }

    @Test
    void mqttAnswersGoToTheDownTopicOfTheTopicsDevice() throws Exception {
        DeviceIdentity id = device("ROUTE_MQTT_OX");
        enrollOverHttp(id);
        DeviceHandshake handshake = DeviceHandshake.start(id, "gateway-01", beans.components.identity().keyPair().publicKey(), random);
        mqttDown.expectedMessageCount(1);
        mqttDown.expectedHeaderReceived("CamelPahoMqtt5OverrideTopic", "iomt/v1/ROUTE_MQTT_OX/down");

        template.sendBodyAndHeader("direct:mqtt-in", MessageCodec.toJson(handshake.hello()).getBytes(StandardCharsets.UTF_8),
                "CamelMqttTopic", "iomt/v1/ROUTE_MQTT_OX/up/hello");

        mqttDown.assertIsSatisfied();
        String answer = mqttDown.getReceivedExchanges().get(0).getMessage().getBody(String.class);
        handshake.complete(MessageCodec.parseServerHello(answer.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void mqttTelemetryErrorsCarryInReplyToAndSeq() throws Exception {
        DeviceIdentity id = device("ROUTE_MQTT_TH");
        enrollOverHttp(id);
        DeviceSession session = handshakeOverHttp(id);
        session.seal(VitalSigns.originalSample()); // seq 1 is never sent: seq 2 arrives on a session of another device
        String json = MessageCodec.toJson(session.seal(VitalSigns.originalSample()))
                .replace("\"deviceId\":\"ROUTE_MQTT_TH\"", "\"deviceId\":\"ROUTE_OTHER\"");
        mqttDown.expectedMessageCount(1);

        template.sendBodyAndHeader("direct:mqtt-in", json.getBytes(StandardCharsets.UTF_8),
                "CamelMqttTopic", "iomt/v1/ROUTE_OTHER/up/telemetry");

        mqttDown.assertIsSatisfied();
        ErrorMessage error = MessageCodec.parseError(mqttDown.getReceivedExchanges().get(0).getMessage().getBody(byte[].class));
        assertEquals("UNKNOWN_SESSION", error.code().name());
        assertEquals("telemetry", error.inReplyTo());
        assertEquals(2L, error.seq());
    }

    @Test
    void aBodyForAnotherDeviceThanTheTopicIsMalformedAndDeadLettered() throws Exception {
        DeviceIdentity id = device("ROUTE_TOPIC_A");
        byte[] raw = enrollJson(id).getBytes(StandardCharsets.UTF_8);
        mqttDown.expectedMessageCount(1);
        mqttDown.expectedHeaderReceived("CamelPahoMqtt5OverrideTopic", "iomt/v1/ROUTE_TOPIC_B/down");
        mongo.expectedMessageCount(1);

        template.sendBodyAndHeader("direct:mqtt-in", raw, "CamelMqttTopic", "iomt/v1/ROUTE_TOPIC_B/up/enroll");

        mqttDown.assertIsSatisfied();
        mongo.assertIsSatisfied();
        assertEquals("MALFORMED_REQUEST", MessageCodec.parseError(
                mqttDown.getReceivedExchanges().get(0).getMessage().getBody(byte[].class)).code().name());
        Document deadLetter = mongo.getReceivedExchanges().get(0).getMessage().getBody(Document.class);
        assertEquals("MALFORMED_REQUEST", deadLetter.getString("code"));
        assertArrayEquals(raw, deadLetter.get("payload", Binary.class).getData(), "dead letters keep the original bytes");
        String deadLetterId = deadLetter.getObjectId("_id").toHexString();
        boolean noted = false;
        for (Document chunk : beans.client.getDatabase("iomt").getCollection("retention_ledger").find()) {
            noted |= String.valueOf(chunk.get("_id")).startsWith("DEAD_LETTER/")
                    && chunk.getList("ids", String.class, java.util.List.of()).contains(deadLetterId);
        }
        assertTrue(noted, "retention knows the dead letter's id before it is written, so it is purged at its age");
    }

    @Test
    void theRetentionRoundIsATimerOnTheRetentionBean() {
        assertNotNull(context.getRoute("retention-purge"), "routes/retention.camel.yaml is loaded");
        assertTrue(context.getRoute("device-changes-watch").getEndpoint().getEndpointUri()
                .startsWith("timer://device-changes"), "routes/cache-watch.camel.yaml is loaded");
        assertTrue(context.getRoute("retention-purge").getEndpoint().getEndpointUri().startsWith("timer://retention"));
    }

    @Test
    void operatorEndpointsCheckTheRole() {
        Exchange asAuditor = post("direct:rest-approval", "{}", "Bearer " + RouteTestBeans.AUDITOR_TOKEN);
        assertEquals(403, status(asAuditor));
        Exchange stats = get("direct:rest-stats", Map.of("Authorization", "Bearer " + RouteTestBeans.AUDITOR_TOKEN));
        assertEquals(200, status(stats));
        assertTrue(new String(body(stats), StandardCharsets.UTF_8).contains("\"activeDevices\""));
        Exchange observations = get("direct:rest-observations",
                Map.of("Authorization", "Bearer " + RouteTestBeans.AUDITOR_TOKEN, "deviceId", "ROUTE_TOKEN"));
        assertEquals(403, status(observations), "observations are PHI: operators only");
    }

    private DeviceIdentity device(String deviceId) {
        return DeviceIdentity.generate(deviceId, "bp-monitor", random);
    }

    private String enrollJson(DeviceIdentity id) {
        return MessageCodec.toJson(id.enrollMessage(Instant.now(), random));
    }

    private void enrollOverHttp(DeviceIdentity id) {
        assertEquals(201, status(post("direct:rest-enroll", enrollJson(id), "Bearer " + RouteTestBeans.OPERATOR_TOKEN)));
    }

    private DeviceSession handshakeOverHttp(DeviceIdentity id) {
        DeviceHandshake handshake = DeviceHandshake.start(id, "gateway-01", beans.components.identity().keyPair().publicKey(), random);
        Exchange serverHello = post("direct:rest-hello", MessageCodec.toJson(handshake.hello()), null);
        assertEquals(200, status(serverHello), new String(body(serverHello), StandardCharsets.UTF_8));
        DeviceSession session = handshake.complete(MessageCodec.parseServerHello(body(serverHello)));
        Exchange established = post("direct:rest-finished", MessageCodec.toJson(handshake.finished()), null);
        assertEquals(200, status(established), new String(body(established), StandardCharsets.UTF_8));
        return session;
    }

    /**
     * Every answered device message is counted by transport, type and protocol code, and the management route serves
     * the counts in Prometheus text, health and liveness; no deviceId (nor anything else a device sends) in a label.
     */
    @Test
    void answersAreCountedAndTheManagementRouteServesMetricsAndHealth() {
        post("direct:rest-enroll", enrollJson(device("ROUTE_METRICS_NO")), "Bearer wrong");
        assertEquals(201, status(post("direct:rest-enroll", enrollJson(device("ROUTE_METRICS_OK")),
                "Bearer " + RouteTestBeans.OPERATOR_TOKEN)));
        Exchange metrics = get("direct:management", "/metrics");
        assertEquals(200, status(metrics));
        String text = new String(body(metrics), StandardCharsets.UTF_8);
        assertTrue(text.contains("iomt_messages_accepted_total{transport=\"http\",type=\"enroll\"}"), text);
        assertTrue(text.contains("iomt_messages_rejected_total{code=\"UNAUTHORIZED\",transport=\"http\",type=\"enroll\"}"), text);
        assertTrue(text.contains("iomt_write_batches_total") && text.contains("iomt_sessions_live"), text);
        assertFalse(text.contains("ROUTE_METRICS"), "no deviceId in any label");
        assertTrue(String.valueOf(metrics.getMessage().getHeader(Exchange.CONTENT_TYPE)).startsWith("text/plain"));

        Exchange ready = get("direct:management", "/health/ready");
        assertEquals(200, status(ready), new String(body(ready), StandardCharsets.UTF_8));
        assertTrue(new String(body(ready), StandardCharsets.UTF_8).contains("\"mongodb\":\"UP\""));
        assertEquals(200, status(get("direct:management", "/health/live")));
        assertEquals(404, status(get("direct:management", "/nothing")));
    }

    private Exchange get(String endpoint, String path) {
        return template.request(endpoint, e -> {
            e.getMessage().setHeader(Exchange.HTTP_METHOD, "GET");
            e.getMessage().setHeader(Exchange.HTTP_PATH, path);
        });
    }

    private Exchange post(String endpoint, String json, String authorization) {
        return template.request(endpoint, e -> {
            e.getMessage().setBody(json.getBytes(StandardCharsets.UTF_8));
            if (authorization != null) {
                e.getMessage().setHeader("Authorization", authorization);
            }
        });
    }

    private Exchange get(String endpoint, Map<String, String> headers) {
        return template.request(endpoint, e -> headers.forEach(e.getMessage()::setHeader));
    }

    private static int status(Exchange e) {
        return e.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
    }

    private static byte[] body(Exchange e) {
        return e.getMessage().getBody(byte[].class);
    }
}
