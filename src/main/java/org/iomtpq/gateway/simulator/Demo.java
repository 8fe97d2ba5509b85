package org.iomtpq.gateway.simulator;

import java.io.PrintStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.JsonNode;
import org.iomtpq.gateway.startup.GatewayRuntime;
import org.iomtpq.gateway.audit.AuditEntry;
import org.iomtpq.gateway.audit.AuditHashChain;
import org.iomtpq.gateway.audit.AuditStatus;
import org.iomtpq.gateway.chain.LocalEthNode;
import org.iomtpq.gateway.config.EphemeralGateway;
import org.iomtpq.gateway.config.GatewaySettings;
import org.iomtpq.gateway.crypto.MlKemPublicKey;
import org.iomtpq.gateway.protocol.TelemetryMessage;
import org.iomtpq.gateway.tools.LocalFhirServer;

/**
 * The original scenario on the embedded defaults: BP_MONITOR_001 and friends enroll, run the handshake and send
 * vitals; a replay and a tampered message are refused; BP_MONITOR_001 is revoked and its next message is refused.
 * Ends with a summary read back from the gateway's own API.
 */
public final class Demo {

    private static final int STEPS = 8;
    private static final Duration MINED = Duration.ofSeconds(30);

    private final PrintStream out;
    private final Map<String, Integer> rejections = new TreeMap<>();
    private DemoChain chain;
    private LocalFhirServer fhir;

    public Demo(PrintStream out) {
        this.out = out;
    }

    /** {@code chainKind}: anvil, ganache or none. */
    public int run(Path dataDir, String chainKind) throws Exception {
        EphemeralGateway.deleteTree(dataDir); // the demo's own data directory only: it starts from nothing each time
        EphemeralGateway ephemeral = EphemeralGateway.in(dataDir);
        String operatorToken = ephemeral.operatorToken();
        String auditorToken = ephemeral.auditorToken();
        Map<String, String> overrides = ephemeral.overrides();
        Path repoRoot = Path.of("").toAbsolutePath();
        LocalEthNode.Kind kind = switch (chainKind) {
            case "anvil" -> LocalEthNode.Kind.ANVIL;
            case "ganache" -> LocalEthNode.Kind.GANACHE;
            case "none" -> null;
            default -> throw new IllegalArgumentException("--chain must be anvil, ganache or none");
        };
        String missing = kind == null ? "--chain none" : LocalEthNode.missingPrerequisite(kind, repoRoot);
        LocalEthNode node = null;
        try {
            if (missing == null) {
                step(1, "Starting " + kind.name().toLowerCase(java.util.Locale.ROOT) + " and deploying the key registry (PROTOCOL.md §9)");
                node = LocalEthNode.start(kind, repoRoot);
                chain = DemoChain.deploy(node, dataDir, overrides);
                overrides.putAll(chain.settings());
                overrides.put("iomt.audit.anchor-interval-ms", "2000");
                info("%s %s (chain id %d); registry %s deployed in %s", kind, node.rpcUrl(), node.chainId(), chain.registry(),
                        chain.deployTx());
                info("gateway account %s authorized with its ML-KEM key hash in %s", chain.gatewayAccount(), chain.authorizeTx());
            } else {
                step(1, "No local chain (" + missing + "): running with registry.mode=none");
            }
            step(2, "Starting the gateway on embedded defaults (MongoDB wire protocol on H2, HiveMQ CE, Camel YAML routes)"
                    + " and a FHIR R4 server of its own for the export");
            fhir = new LocalFhirServer(EphemeralGateway.freeLoopbackPort()).start();
            overrides.put("iomt.fhir.base-url", fhir.baseUrl());
            info("FHIR R4 server (HAPI, in memory) at %s", fhir.baseUrl());
            try (GatewayRuntime gateway = GatewayRuntime.start(GatewaySettings.fromEnvironment(overrides))) {
                return scenario(gateway, operatorToken, auditorToken);
            }
        } finally {
            if (fhir != null) {
                fhir.close();
            }
            if (node != null) {
                node.close();
            }
        }
    }

    private int scenario(GatewayRuntime gateway, String operatorToken, String auditorToken) throws Exception {
        String api = gateway.httpBaseUrl();
        OperatorClient operator = new OperatorClient(api, operatorToken);
        var record = operator.gatewayRecord();
        MlKemPublicKey gatewayKey = MlKemPublicKey.fromBytes(record.kemPublicKey());
        info("HTTP %s   MQTT %s   registry.mode=%s", api, gateway.mqttUrl(), chain == null ? "none" : "chain");
        info("gateway %s, ML-KEM-768 key hash %s, address %s", record.gatewayId(), record.kemKeyHash(), record.gatewayAddress());
        if (chain != null) {
            info("devices check the gateway key on chain: gatewayKey(%s) -> %s", record.gatewayAddress(),
                    chain.verifyGatewayKey(record) ? "matches, authorized" : "MISMATCH");
        }
        SecureRandom random = new SecureRandom();
        try (HttpDeviceTransport http = new HttpDeviceTransport(api, operatorToken);
             MqttDeviceTransport mqtt = new MqttDeviceTransport(gateway.mqttUrl())) {
            List<SimulatedDevice> devices = List.of(
                    SimulatedDevice.generate("BP_MONITOR_001", "bp-monitor", http, random),
                    SimulatedDevice.generate("PULSE_OXIMETER_001", "pulse-oximeter", mqtt, random),
                    SimulatedDevice.generate("THERMOMETER_001", "thermometer", mqtt, random),
                    SimulatedDevice.generate("BP_MONITOR_002", "bp-monitor", http, random));

            step(3, "Enrolling devices (ML-DSA-65 proof of possession; MQTT enrollments need an operator approval)");
            for (SimulatedDevice d : devices) {
                boolean overMqtt = d.transport() == mqtt;
                if (overMqtt) {
                    operator.approve(d.deviceId(), 600);
                }
                var enrolled = d.enroll();
                info("%-19s %-15s over %-4s -> %s, commitment %s…", d.deviceId(), d.identity().deviceType(),
                        d.transport().name(), enrolled.status(), enrolled.keyCommitment().substring(0, 18));
            }
            if (chain != null) {
                for (SimulatedDevice d : devices) {
                    JsonNode registration = awaitRegistration(operator, d.deviceId(), "status", "ACTIVE");
                    info("%-19s ACTIVE: registerDeviceKey mined in %s", d.deviceId(), registration.get("txHash").asText());
                }
            }

            step(4, "Mutual ML-KEM-768 handshakes against the pinned gateway key");
            for (SimulatedDevice d : devices) {
                var session = d.handshake(record.gatewayId(), gatewayKey);
                info("%-19s session established, expires %s", d.deviceId(), session.expiresAt());
            }

            step(5, "Vitals, encrypted with AES-256-GCM under the session key");
            SimulatedDevice bp = devices.get(0);
            TelemetryMessage original = bp.send(VitalSigns.originalSample());
            info("%-19s BP=145/92, HR=88, O2=96%%, Temp=37.2C -> stored (seq %d)", bp.deviceId(), original.seq());
            Random values = new Random(7);
            for (SimulatedDevice d : devices.subList(1, devices.size())) {
                for (int i = 0; i < 3; i++) {
                    d.send(VitalSigns.sample(d.identity().deviceType(), values));
                }
                d.pendingError(Duration.ofMillis(300)).ifPresent(e -> info("%s got %s", d.deviceId(), e.code()));
                info("%-19s 3 readings sent over %s", d.deviceId(), d.transport().name());
            }

            step(6, "Attacks are refused");
            expectRejection("replay of BP_MONITOR_001's message", () -> bp.sendRaw(original));
            TelemetryMessage tampered = tamper(bp.send(VitalSigns.originalSample()));
            expectRejection("a flipped ciphertext bit", () -> bp.sendRaw(tampered));
            expectRejection("operator API with an unknown token",
                    () -> new OperatorClient(api, "not-a-token").stats());

            step(7, "Revocation: the operator revokes BP_MONITOR_001");
            JsonNode revoked = operator.revoke("BP_MONITOR_001", "reported stolen from ward 4B");
            info("BP_MONITOR_001 is now %s; all its sessions ended", revoked.get("status").asText());
            if (chain != null) {
                JsonNode onChain = awaitRegistration(operator, "BP_MONITOR_001", "revocationTxHash", null);
                info("deactivateKey mined in %s: every gateway on this registry now refuses it",
                        onChain.get("revocationTxHash").asText());
            }
            expectRejection("BP_MONITOR_001's next reading", () -> bp.send(VitalSigns.originalSample()));
            Thread.sleep(300); // MQTT readings above are stored asynchronously; let the last ones land
            if (chain != null) {
                step(8, "Audit trail anchored on chain (RFC 6962 Merkle root of the hash-chained entries)");
                JsonNode anchored = awaitAnchor(new OperatorClient(api, auditorToken));
                info("%s", anchored.get("message").asText());
            }
        }
        return summary(operator, new OperatorClient(api, auditorToken));
    }

    private int summary(OperatorClient operator, OperatorClient auditor) {
        JsonNode stats = auditor.stats();
        JsonNode devices = auditor.get("/devices");
        Map<String, Integer> byStatus = new TreeMap<>();
        int observations = 0;
        for (JsonNode d : devices.get("devices")) {
            byStatus.merge(d.get("status").asText(), 1, Integer::sum);
            observations += operator.get("/devices/" + d.get("deviceId").asText() + "/observations").get("observations").size();
        }
        JsonNode audit = auditor.get("/audit?limit=10000");
        int verified = 0;
        int rejected = 0;
        String prev = AuditHashChain.ZERO_HASH;
        boolean intact = true;
        for (JsonNode e : audit.get("entries")) {
            AuditEntry entry = new AuditEntry(e.get("stream").asText(), e.get("seq").asLong(), e.get("prevHash").asText(),
                    e.get("hash").asText(), e.get("eventType").asText(), e.get("deviceId").isNull() ? null : e.get("deviceId").asText(),
                    e.get("gatewayId").asText(), e.get("timestamp").asText(), AuditStatus.valueOf(e.get("status").asText()),
                    e.get("message").asText());
            intact &= entry.prevHash().equals(prev) && AuditHashChain.hash(entry).equals(entry.hash());
            prev = entry.hash();
            verified++;
            if (entry.status() == AuditStatus.REJECTED) {
                rejected++;
            }
        }
        out.println();
        out.println("================ Demo summary ================");
        out.printf("  Devices            %d %s%n", stats.get("totalDevices").asLong(), byStatus);
        out.printf("  Sessions           %d authenticated and live%n", stats.get("authenticatedSessions").asLong());
        out.printf("  Observations       %d stored (vitals, unique per session and seq)%n", observations);
        out.printf("  Audit events       %d in stream %s, hash chain %s%n", verified, audit.get("stream").asText(),
                intact ? "intact" : "BROKEN");
        out.printf("  Rejections         %d audited; seen by devices: %s%n", rejected, rejections);
        if (chain != null) {
            out.printf("  Chain              registry %s on chain %d; its transactions:%n", chain.registry(), chain.chainId());
            transactions(devices);
        } else {
            out.printf("  Chain              none (registry.mode=none; npm ci installs Anvil for the full demo)%n");
        }
        int fhirObservations = awaitFhirSettled();
        out.printf("  FHIR R4            %d Observations (vital-signs profile, blood pressure as one panel) and %d Devices"
                + " delivered to %s%n", fhirObservations, fhir.devices().size(), fhir.baseUrl());
        out.println("==============================================");
        fhir.observations().stream().filter(o -> "85354-9".equals(o.getCode().getCodingFirstRep().getCode())).findFirst()
                .ifPresent(bp -> out.println("One of them, BP_MONITOR_001's blood pressure:\n"
                        + FhirContext.forR4Cached().newJsonParser().setPrettyPrint(true).encodeResourceToString(bp)));
        boolean ok = fhirObservations >= observations && fhir.devices().size() == byStatus.values().stream().mapToInt(i -> i).sum()
                && intact && byStatus.getOrDefault("REVOKED", 0) == 1 && rejections.containsKey("DEVICE_REVOKED")
                && rejections.containsKey("REPLAY") && rejections.containsKey("DECRYPT_FAILED") && observations >= 1;
        out.println(ok ? "Demo completed." : "Demo finished with unexpected results (see above).");
        return ok ? 0 : 1;
    }

    /** The FHIR server's Observation count once it stopped growing for a second (the export runs behind ingestion). */
    private int awaitFhirSettled() {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        int last = -1;
        while (System.nanoTime() < deadline) {
            int now = fhir.observations().size();
            if (now == last && now > 0) {
                return now;
            }
            last = now;
            try {
                Thread.sleep(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return fhir.observations().size();
    }

    /** Lists the registry transactions: deployment, then each device's registration and deactivation. */
    private void transactions(JsonNode devices) {
        out.printf("      %-34s %s%n", "deploy + authorizeGateway", chain.deployTx() + ", " + chain.authorizeTx());
        for (JsonNode d : devices.get("devices")) {
            for (String field : new String[] {"txHash", "revocationTxHash"}) {
                if (!d.get(field).isNull()) {
                    out.printf("      %-34s %s%n", d.get("deviceId").asText() + (field.equals("txHash") ? " registered" : " deactivated"),
                            d.get(field).asText());
                }
            }
        }
    }

    private static JsonNode awaitAnchor(OperatorClient auditor) throws InterruptedException {
        long deadline = System.nanoTime() + MINED.toNanos();
        while (System.nanoTime() < deadline) {
            for (JsonNode e : auditor.get("/audit?limit=10000").get("entries")) {
                if ("AUDIT_ANCHORED".equals(e.get("eventType").asText()) && "SUCCESS".equals(e.get("status").asText())) {
                    return e;
                }
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("no audit anchor within " + MINED);
    }

    /** Polls the public registration record until {@code field} equals {@code value} (or, value null, is set). */
    private static JsonNode awaitRegistration(OperatorClient operator, String deviceId, String field, String value)
            throws InterruptedException {
        long deadline = System.nanoTime() + MINED.toNanos();
        while (true) {
            JsonNode r = operator.get("/devices/" + deviceId + "/registration");
            JsonNode v = r.get(field);
            if (value == null ? !v.isNull() : value.equals(v.asText())) {
                return r;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(deviceId + ": " + field + " did not become " + value + " within " + MINED);
            }
            Thread.sleep(100);
        }
    }

    private void expectRejection(String what, Runnable attempt) {
        try {
            attempt.run();
            info("%-40s -> accepted (unexpected!)", what);
        } catch (GatewayRejection r) {
            rejections.merge(r.error().code().name(), 1, Integer::sum);
            info("%-40s -> %s", what, r.error().code());
        } catch (IllegalStateException e) {
            String code = e.getMessage().contains("\"code\":\"") ? e.getMessage().replaceAll(".*\"code\":\"([A-Z_]+)\".*", "$1") : "ERROR";
            rejections.merge(code, 1, Integer::sum);
            info("%-40s -> %s", what, code);
        }
    }

    private static TelemetryMessage tamper(TelemetryMessage m) {
        byte[] c = m.ciphertext();
        c[0] ^= 0x01;
        return new TelemetryMessage(m.deviceId(), m.sessionId(), m.seq() + 1, c);
    }

    private void step(int n, String text) {
        out.printf("%n[%d/%d] %s%n", n, STEPS, text);
    }

    private void info(String format, Object... args) {
        out.println("      " + String.format(format, args));
    }
}
