package org.iomtpq.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import org.bson.Document;
import org.iomtpq.gateway.protocol.DeviceSession;
import org.iomtpq.gateway.protocol.ErrorCode;
import org.iomtpq.gateway.protocol.Reading;
import org.iomtpq.gateway.protocol.Timestamps;
import org.iomtpq.gateway.simulator.GatewayRejection;
import org.iomtpq.gateway.simulator.MqttDeviceTransport;
import org.iomtpq.gateway.simulator.SimulatedDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * PROTOCOL.md §10 and HIPAA's minimum necessary: after the whole flow (enroll over HTTP and MQTT, handshakes, readings,
 * rejections, rotation, revocation), neither the audit trail nor anything the gateway logged contains a token, the master
 * key, the gateway's ML-KEM seed, a device's public keys, a session id, or a vital-sign value.
 */
class NoSecretsInAuditOrLogsIT {

    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path dir;

    @Test
    void auditAndLogsHoldNoSecretsAndNoVitals() throws Exception {
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        log.start();
        root.addAppender(log);
        List<String> secrets = new ArrayList<>();
        try (GatewayFixture gw = GatewayFixture.start(dir);
             MqttDeviceTransport mqtt = new MqttDeviceTransport(gw.mqttUrl())) {
            secrets.add(gw.operatorToken());
            secrets.add(gw.auditorToken());
            byte[] seed = Files.readAllBytes(dir.resolve("gateway-mlkem768.seed"));
            secrets.add(Base64.getEncoder().encodeToString(seed));
            secrets.add(HexFormat.of().formatHex(seed));

            SimulatedDevice overHttp = SimulatedDevice.generate("PHI_HTTP_01", "bp-monitor", gw.httpTransport(), RANDOM);
            SimulatedDevice overMqtt = SimulatedDevice.generate("PHI_MQTT_01", "pulse-oximeter", mqtt, RANDOM);
            gw.operator().approve(overMqtt.deviceId(), 600);
            for (SimulatedDevice d : List.of(overHttp, overMqtt)) {
                d.enroll();
                secrets.add(Base64.getEncoder().encodeToString(d.identity().kemKeyPair().publicKey().toBytes()));
                secrets.add(Base64.getEncoder().encodeToString(d.identity().sigKeyPair().publicKey().toBytes()));
                DeviceSession session = d.handshake(GatewayFixture.GATEWAY_ID, gw.gatewayKey());
                secrets.add(Base64.getEncoder().encodeToString(session.sessionId()));
                d.send(distinctiveReading());
            }
            try {
                overHttp.sendRaw(overHttp.send(distinctiveReading())); // a replay: audited as a rejection
            } catch (GatewayRejection expected) {
                assertEquals(ErrorCode.REPLAY, expected.error().code());
            }
            overHttp.rotate();
            gw.operator().revoke(overMqtt.deviceId(), "test");
            GatewayFixture.awaitTrue("readings stored", Duration.ofSeconds(20),
                    () -> gw.count("observations", new Document()) >= 3);
            GatewayFixture.awaitTrue("the replay audited", Duration.ofSeconds(10),
                    () -> gw.rejectedAudits(ErrorCode.REPLAY) >= 1);

            List<String> audit = gw.audit().stream().map(Document::toJson).toList();
            assertTrue(audit.size() >= 8, "the flow leaves an audit trail: " + audit.size());
            assertClean("audit trail", audit, secrets);
        } finally {
            root.detachAppender(log);
        }
        List<String> lines = new ArrayList<>();
        for (ILoggingEvent e : log.list) {
            lines.add(e.getFormattedMessage());
            if (e.getThrowableProxy() != null) {
                lines.add(ThrowableProxyUtil.asString(e.getThrowableProxy()));
            }
        }
        assertFalse(lines.isEmpty(), "the gateway logged nothing: the capture is broken");
        assertClean("process log", lines, secrets);
    }

    private static void assertClean(String where, List<String> texts, List<String> secrets) {
        String all = String.join("\n", texts);
        for (String secret : secrets) {
            assertFalse(all.contains(secret), where + " contains a secret or key (" + secret.substring(0, 6) + "…)");
        }
        for (String vital : new String[] {"433.71", "38.65", "187", "111"}) {
            for (String shape : new String[] {":" + vital, "=" + vital, ": " + vital, vital + "/", "/" + vital}) {
                assertFalse(all.contains(shape), where + " contains a vital-sign value (" + shape + ")");
            }
        }
    }

    /** Values chosen so they cannot appear by accident in hashes, ports or timestamps. */
    private static Reading distinctiveReading() {
        Map<String, BigDecimal> v = new LinkedHashMap<>();
        v.put("systolic", new BigDecimal("187"));
        v.put("diastolic", new BigDecimal("111"));
        v.put("temperature", new BigDecimal("38.65"));
        v.put("glucose", new BigDecimal("433.71"));
        return new Reading(Timestamps.format(Instant.now()), v);
    }
}
