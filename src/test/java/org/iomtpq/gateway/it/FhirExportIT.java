package org.iomtpq.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.mongodb.client.model.Filters;
import org.bson.Document;
import org.hl7.fhir.r4.model.Device;
import org.hl7.fhir.r4.model.Observation;
import org.iomtpq.gateway.config.EphemeralGateway;
import org.iomtpq.gateway.fhir.VitalSignsMapping;
import org.iomtpq.gateway.protocol.Base64s;
import org.iomtpq.gateway.protocol.DeviceIdentity;
import org.iomtpq.gateway.protocol.DeviceSession;
import org.iomtpq.gateway.protocol.MessageCodec;
import org.iomtpq.gateway.protocol.Reading;
import org.iomtpq.gateway.simulator.SimulatedDevice;
import org.iomtpq.gateway.simulator.VitalSigns;
import org.iomtpq.gateway.store.Collections;
import org.iomtpq.gateway.tools.LocalFhirServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12: readings flow into a real gateway while its FHIR server (HAPI's RestfulServer, in process) is stopped and
 * started again; at the end the server holds exactly one Observation per vital of every stored reading (blood
 * pressure as one panel) and one Device per device, nothing else; ingestion was answered 201 throughout. A resource
 * the server rejects lands in dead letters with its OperationOutcome, and the rest still arrives.
 */
class FhirExportIT {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Map<String, String> TYPES = Map.of("BP_FHIR_001", "bp-monitor", "SPO2_FHIR_001",
            "pulse-oximeter", "TEMP_FHIR_001", "thermometer");

    @TempDir
    Path dir;

    @Test
    void everyVitalArrivesExactlyOnceAcrossAServerRestart() throws Exception {
        try (LocalFhirServer fhir = new LocalFhirServer(EphemeralGateway.freeLoopbackPort()).start();
             GatewayFixture gw = GatewayFixture.start(dir, Map.of("iomt.fhir.base-url", fhir.baseUrl(),
                     "iomt.fhir.retry-first-ms", "200", "iomt.fhir.retry-max-ms", "1000"))) {
            Map<String, DeviceSession> sessions = enrollAndHandshake(gw);
            Set<String> expected = new HashSet<>();
            int readings = 0;
            for (int round = 1; round <= 60; round++) {
                if (round == 20) {
                    fhir.stop(); // mid-stream: the export must hold, ingestion must not notice
                }
                if (round == 45) {
                    fhir.start();
                }
                for (Map.Entry<String, DeviceSession> d : sessions.entrySet()) {
                    Reading reading = round % 10 == 0 ? VitalSigns.originalSample() : VitalSigns.sample(TYPES.get(d.getKey()), RANDOM);
                    var sealed = d.getValue().seal(reading);
                    GatewayFixture.Response r = gw.post("/telemetry", MessageCodec.toJson(sealed));
                    assertEquals(201, r.status(), "ingestion while the FHIR server is " + (round >= 20 && round < 45 ? "down" : "up")
                            + ": " + r.body());
                    expected.addAll(identifiers(Base64s.encode(sealed.sessionId()), sealed.seq(), reading));
                    readings++;
                }
                Thread.sleep(40);
            }
            GatewayFixture.awaitTrue(expected.size() + " observations on the FHIR server", Duration.ofSeconds(60),
                    () -> fhir.observations().size() >= expected.size() && gw.count(Collections.FHIR_FEED, new Document()) == 0);
            Thread.sleep(1_000); // anything sent twice would show now
            List<Observation> held = fhir.observations();
            List<String> ids = held.stream().map(o -> o.getIdentifierFirstRep().getValue()).toList();
            assertEquals(expected.size(), held.size(), "one resource per vital of " + readings + " readings");
            assertEquals(expected, new HashSet<>(ids), "exactly the vitals sent, each once");
            Map<String, Long> devicesById = new HashMap<>();
            for (Device d : fhir.devices()) {
                devicesById.merge(d.getIdentifierFirstRep().getValue(), 1L, Long::sum);
            }
            assertEquals(Map.of("BP_FHIR_001", 1L, "SPO2_FHIR_001", 1L, "TEMP_FHIR_001", 1L), devicesById);
            for (Observation o : held) {
                assertTrue(o.getDevice().getReference().startsWith("Device/"), o.getDevice().getReference());
            }
            assertEquals(readings, gw.count(Collections.OBSERVATIONS, new Document()));
        }
    }

    @Test
    void aRejectedResourceGoesToDeadLettersAndTheRestArrives() throws Exception {
        try (LocalFhirServer fhir = new LocalFhirServer(EphemeralGateway.freeLoopbackPort()).start();
             GatewayFixture gw = GatewayFixture.start(dir, Map.of("iomt.fhir.base-url", fhir.baseUrl()))) {
            fhir.rejectWhen(r -> r instanceof Observation o && "8310-5".equals(o.getCode().getCodingFirstRep().getCode()));
            DeviceSession session = enrollAndHandshake(gw).get("BP_FHIR_001");
            var sealed = session.seal(VitalSigns.originalSample()); // bp, heart rate, spo2 and a temperature
            assertEquals(201, gw.post("/telemetry", MessageCodec.toJson(sealed)).status());
            GatewayFixture.awaitTrue("the other three observations", Duration.ofSeconds(30),
                    () -> fhir.observations().size() == 3 && gw.count(Collections.FHIR_FEED, new Document()) == 0);
            String temperature = VitalSignsMapping.identifierValue(Base64s.encode(sealed.sessionId()),
                    sealed.seq(), "temperature");
            Document letter = gw.db().getCollection(Collections.DEAD_LETTERS).find(Filters.eq("code", "FHIR_REJECTED")).first();
            assertTrue(letter != null && letter.getString("reason").contains(temperature)
                    && letter.getString("reason").contains("refused by the test server"), String.valueOf(letter));
            String body = new String(letter.get("payload", org.bson.types.Binary.class).getData(), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(body.contains("\"resourceType\":\"Observation\"") && body.contains("8310-5"), body);
            assertEquals(1, gw.auditCount("BP_FHIR_001", "FHIR_REJECTED", "REJECTED"));
        }
    }

    private static Map<String, DeviceSession> enrollAndHandshake(GatewayFixture gw) {
        Map<String, DeviceSession> sessions = new HashMap<>();
        TYPES.forEach((deviceId, type) -> {
            DeviceIdentity id = DeviceIdentity.generate(deviceId, type, RANDOM);
            GatewayFixture.Response enrolled = gw.postAsOperator("/devices", Forge.enroll(id, Instant.now(), RANDOM));
            assertEquals(201, enrolled.status(), enrolled.body());
            sessions.put(deviceId, new SimulatedDevice(id, gw.httpTransport(), RANDOM)
                    .handshake(GatewayFixture.GATEWAY_ID, gw.gatewayKey()));
        });
        return sessions;
    }

    /** What the mapping promises for a reading: the panel for blood pressure, one per other vital. */
    private static List<String> identifiers(String sessionId, long seq, Reading reading) {
        List<String> out = new ArrayList<>();
        Set<String> vitals = reading.vitals().keySet();
        if (vitals.contains("systolic") || vitals.contains("diastolic")) {
            out.add(VitalSignsMapping.identifierValue(sessionId, seq, "bp"));
        }
        for (String v : vitals) {
            if (!v.equals("systolic") && !v.equals("diastolic")) {
                out.add(VitalSignsMapping.identifierValue(sessionId, seq, v));
            }
        }
        return out;
    }
}
