package org.iomtpq.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.model.Projections;
import org.bson.Document;
import org.iomtpq.gateway.embedded.EmbeddedMongo;
import org.iomtpq.gateway.protocol.Base64s;
import org.iomtpq.gateway.protocol.DeviceSession;
import org.iomtpq.gateway.protocol.GatewayRecord;
import org.iomtpq.gateway.protocol.MessageCodec;
import org.iomtpq.gateway.protocol.TelemetryMessage;
import org.iomtpq.gateway.simulator.HttpDeviceTransport;
import org.iomtpq.gateway.simulator.SimulatedDevice;
import org.iomtpq.gateway.simulator.VitalSigns;
import org.iomtpq.gateway.testsupport.DeliveryCounts;
import org.iomtpq.gateway.testsupport.FreePorts;
import org.iomtpq.gateway.testsupport.MosquittoProcess;
import org.iomtpq.gateway.testsupport.PahoV5Client;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 10: {@code kill -9} of the gateway process at random moments while devices stream QoS 1 over MQTT (through
 * an external Mosquitto) and telemetry over HTTP, restarted each time like a supervisor would. Everything the broker
 * PUBACKed or the gateway answered 201 must be stored exactly once, sessions established before a crash keep
 * working after it, the audit hash chain stays intact, and every restart serves within 10 s.
 */
class GatewayCrashIT {

    /** 20 as the issue asks; {@code -Dcrash.kills=N} for a shorter local run. */
    private static final int KILLS = Integer.getInteger("crash.kills", 20);
    private static final int MQTT_DEVICES = 6;
    private static final int HTTP_DEVICES = 4;
    private static final Duration SERVE_WITHIN = Duration.ofSeconds(10);
    private static final String GATEWAY_ID = "crash-gateway";
    /** Draining the broker's backlog after the kills: a store that stopped growing this long is done. */
    private static final Duration DRAIN_QUIET = Duration.ofSeconds(15);
    private static final Duration DRAIN_AT_MOST = Duration.ofMinutes(4);

    private final Random random = new Random();
    private final SecureRandom secureRandom = new SecureRandom();
    private final AtomicBoolean streaming = new AtomicBoolean(true);
    private final List<String> unexpected = Collections.synchronizedList(new ArrayList<>());
    /** sessionId → seqs the device sealed and sent at least once. */
    private final Map<String, Set<Long>> sent = new ConcurrentHashMap<>();
    /** sessionId → seqs acknowledged: PUBACKed by the broker (MQTT) or answered 201 (HTTP). */
    private final Map<String, Set<Long>> acknowledged = new ConcurrentHashMap<>();
    private MosquittoProcess mosquitto;
    private IomtProcess gateway;
    private Path dataDir;
    private final List<Thread> devices = new ArrayList<>();
    /** (sessionId, seq) pairs found more than once by the last {@link #readStore()}. */
    private long duplicates;

    @AfterEach
    void tearDown() throws Exception {
        streaming.set(false);
        for (Thread t : devices) {
            t.join(5_000);
        }
        if (gateway != null) {
            gateway.close();
        }
        if (mosquitto != null) {
            if (Boolean.getBoolean("crash.keep-data") && dataDir != null) {
                Files.writeString(dataDir.resolve("mosquitto.log"), mosquitto.log());
            }
            mosquitto.close();
        }
        if (Boolean.getBoolean("crash.keep-data")) {
            System.out.println("GatewayCrashIT: data kept in " + dataDir); // the store, a log per start, the broker log
        } else {
            TempDirs.deleteQuietly(dataDir);
        }
    }

    @Test
    void nothingAcknowledgedIsLostOrDuplicatedAcrossTwentyKills() throws Exception {
        MosquittoProcess.assumeInstalled();
        mosquitto = MosquittoProcess.start(MosquittoProcess.KEEP_EVERYTHING
                + (Boolean.getBoolean("crash.broker-log") ? "log_type all\n" : "")); // every PUBLISH, to trace an order
        dataDir = Files.createTempDirectory("crash-it");
        int httpPort = FreePorts.loopback();
        String api = "http://127.0.0.1:" + httpPort + "/api/v1";
        String operatorToken = Base64s.encode(secureRandom.generateSeed(24));
        Map<String, String> env = gatewayEnvironment(httpPort, operatorToken);
        gateway = new IomtProcess(env, dataDir, api);
        gateway.start();
        gateway.awaitServing(Duration.ofSeconds(60)); // the first start builds the store and the identity

        GatewayRecord record = MessageCodec.parseGatewayRecord(get(api + "/gateway").getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < MQTT_DEVICES; i++) {
            SimulatedDevice device = enrolledWithSession("CRASH_MQTT_" + i, api, operatorToken, record);
            devices.add(started("mqtt-" + i, () -> streamOverMqtt(device)));
        }
        for (int i = 0; i < HTTP_DEVICES; i++) {
            SimulatedDevice device = enrolledWithSession("CRASH_HTTP_" + i, api, operatorToken, record);
            devices.add(started("http-" + i, () -> streamOverHttp(device, api, record)));
        }

        List<Long> restartMillis = new ArrayList<>();
        int killedWhileStarting = 0;
        for (int kill = 1; kill <= KILLS; kill++) {
            if (kill % 5 == 0) {
                Thread.sleep(300 + random.nextInt(2_000)); // during start-up (store opening, upgrade, Camel)
                killedWhileStarting += gateway.answersGatewayRecord() ? 0 : 1;
            } else {
                Thread.sleep(500 + random.nextInt(2_500)); // mid-stream
            }
            gateway.kill9();
            gateway.start();
            if (kill % 5 != 4) { // the next kill comes during this start-up: no serving time to take
                restartMillis.add(gateway.awaitServing(Duration.ofSeconds(30)).toMillis());
            }
        }
        gateway.awaitServing(Duration.ofSeconds(30));
        Thread.sleep(2_000);
        streaming.set(false);
        for (Thread t : devices) {
            t.join(30_000);
        }

        Map<String, Set<Long>> stored = drainAndReadStore();
        long acked = count(acknowledged);
        long lost = DeliveryCounts.lost(acknowledged, stored);
        long phantom = 0;
        for (Map.Entry<String, Set<Long>> e : stored.entrySet()) {
            Set<Long> extra = new HashSet<>(e.getValue());
            extra.removeAll(sent.getOrDefault(e.getKey(), Set.of()));
            phantom += extra.size();
        }
        int auditExit = verifyAudit(env);
        Collections.sort(restartMillis);
        System.out.printf("GatewayCrashIT: %d kill -9 (%d during start-up), %d devices (%d MQTT via Mosquitto, %d HTTP);"
                        + " sent %d, acknowledged %d, stored %d, lost %d, duplicates %d, not sent but stored %d;"
                        + " restart → serving ms: min %d, median %d, max %d; audit verify exit %d; unexpected answers %d%n",
                KILLS, killedWhileStarting, MQTT_DEVICES + HTTP_DEVICES, MQTT_DEVICES, HTTP_DEVICES, count(sent), acked,
                count(stored), lost, duplicates, phantom, restartMillis.get(0),
                restartMillis.get(restartMillis.size() / 2), restartMillis.get(restartMillis.size() - 1), auditExit,
                unexpected.size());
        synchronized (unexpected) {
            unexpected.stream().limit(15).forEach(u -> System.out.println("  unexpected: " + u));
        }
        assertTrue(acked > 1_000, "the devices streamed too little to prove anything: " + acked);
        assertEquals(0, lost, "acknowledged but not stored");
        assertEquals(0, duplicates, "a (sessionId, seq) stored twice");
        assertEquals(0, phantom, "stored although never sent");
        assertEquals(List.of(), unexpected, "answers a crash must not cause (a lost session is UNKNOWN_SESSION)");
        assertEquals(0, auditExit, "./iomt verify-audit on the store after the crashes");
        for (long ms : restartMillis) {
            assertTrue(ms < SERVE_WITHIN.toMillis(), "a restart served after " + ms + " ms: " + restartMillis);
        }
    }

    private static Thread started(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.start();
        return t;
    }

    private Map<String, String> gatewayEnvironment(int httpPort, String operatorToken) {
        byte[] masterKey = new byte[32];
        secureRandom.nextBytes(masterKey);
        Map<String, String> env = new HashMap<>();
        env.put("IOMT_DATA_DIR", dataDir.toString());
        env.put("IOMT_GATEWAY_ID", GATEWAY_ID);
        env.put("IOMT_HTTP_HOST", "127.0.0.1");
        env.put("IOMT_HTTP_PORT", String.valueOf(httpPort));
        env.put("IOMT_MQTT_URL", mosquitto.url());
        env.put("IOMT_MQTT_CLIENT_ID", "crash-it-gateway");
        env.put("IOMT_MONGO_URI", "");
        env.put("IOMT_REGISTRY_MODE", "none");
        env.put("IOMT_REGISTRY_ADDRESS", "");
        env.put("IOMT_AUDIT_STREAM", "");
        env.put("IOMT_OPERATOR_TOKEN", operatorToken);
        env.put("IOMT_AUDITOR_TOKEN", Base64s.encode(secureRandom.generateSeed(24)));
        env.put("IOMT_MASTER_KEY", Base64.getEncoder().encodeToString(masterKey));
        return env;
    }

    private SimulatedDevice enrolledWithSession(String id, String api, String token, GatewayRecord record) {
        SimulatedDevice device = SimulatedDevice.generate(id, "bp-monitor", new HttpDeviceTransport(api, token), secureRandom);
        assertEquals("ACTIVE", device.enroll().status(), id);
        device.handshake(record.gatewayId(), record.kemKey());
        return device;
    }

    /** QoS 1 to the broker; a PUBACK is the broker's promise, so from then on the message must end up stored. */
    private void streamOverMqtt(SimulatedDevice device) {
        String id = device.deviceId();
        try (PahoV5Client client = PahoV5Client.connect(mosquitto.url(), id)) {
            client.subscribe("iomt/v1/" + id + "/down", 1);
            DeviceSession session = device.session();
            String sessionId = Base64s.encode(session.sessionId());
            while (streaming.get()) {
                TelemetryMessage m = session.seal(VitalSigns.sample("bp-monitor", random));
                sent.computeIfAbsent(sessionId, k -> ConcurrentHashMap.newKeySet()).add(m.seq());
                client.publishQos1("iomt/v1/" + id + "/up/telemetry", MessageCodec.toJson(m).getBytes(StandardCharsets.UTF_8), false);
                acknowledged.computeIfAbsent(sessionId, k -> ConcurrentHashMap.newKeySet()).add(m.seq());
                client.receive(Duration.ZERO).ifPresent(a -> unexpected.add(id + " got " + a.text()));
                Thread.sleep(20);
            }
            client.receive(Duration.ofSeconds(1)).ifPresent(a -> unexpected.add(id + " got " + a.text()));
        } catch (Exception e) {
            unexpected.add(id + ": " + e);
        }
    }

    /**
     * Each reading is retried (same bytes) until the gateway answers it: 201, or REPLAY after an attempt whose answer
     * was lost in a crash (it was stored then). A new handshake every 50 readings, retried the same way.
     */
    private void streamOverHttp(SimulatedDevice device, String api, GatewayRecord record) {
        String id = device.deviceId();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        try {
            int sinceHandshake = 0;
            while (streaming.get()) {
                if (++sinceHandshake > 50) {
                    handshakeUntilDone(device, record);
                    sinceHandshake = 1;
                }
                DeviceSession session = device.session();
                String sessionId = Base64s.encode(session.sessionId());
                TelemetryMessage m = session.seal(VitalSigns.sample("bp-monitor", random));
                sent.computeIfAbsent(sessionId, k -> ConcurrentHashMap.newKeySet()).add(m.seq());
                if (postUntilAnswered(http, api, id, m)) {
                    acknowledged.computeIfAbsent(sessionId, k -> ConcurrentHashMap.newKeySet()).add(m.seq());
                }
                Thread.sleep(40);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean postUntilAnswered(HttpClient http, String api, String id, TelemetryMessage m) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(api + "/telemetry")).timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(MessageCodec.toJson(m)))
                .build();
        boolean outcomeUnknown = false;
        String lastFailure = "none";
        for (int attempt = 0; attempt < 600; attempt++) {
            try {
                HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
                lastFailure = "HTTP " + r.statusCode() + " " + r.body();
                if (r.statusCode() == 201) {
                    return true;
                }
                if (r.statusCode() == 409 && outcomeUnknown && r.body().contains("\"REPLAY\"")) {
                    return true; // stored by the attempt whose answer the crash took
                }
                if (r.statusCode() != 503) {
                    unexpected.add(id + " seq " + m.seq() + ": HTTP " + r.statusCode() + " " + r.body());
                    return false;
                }
            } catch (IOException e) {
                // the gateway is down or went down while answering: same bytes again once it is back
                lastFailure = e.toString();
            }
            outcomeUnknown = true;
            Thread.sleep(100);
        }
        unexpected.add(id + " seq " + m.seq() + ": no answer in a minute of retries, the last: " + lastFailure);
        return false;
    }

    private void handshakeUntilDone(SimulatedDevice device, GatewayRecord record) throws InterruptedException {
        for (int attempt = 0; attempt < 300; attempt++) {
            try {
                device.handshake(record.gatewayId(), record.kemKey());
                return;
            } catch (RuntimeException e) {
                Thread.sleep(200); // a crash between hello and finished: start again (the pending one expires)
            }
        }
        unexpected.add(device.deviceId() + ": no handshake in a minute of retries");
    }

    /**
     * The broker still holds, for the gateway's persistent session, what the gateway had not acknowledged when it was
     * last killed: after 20 kills with a cold JVM each time that backlog can be tens of thousands of messages, which a
     * slow machine takes a minute to store. Each round lets a started gateway work until its store (read through the
     * embedded MongoDB's port while it runs) holds as many observations as were acknowledged or stops growing for
     * {@link #DRAIN_QUIET}, then stops it (SIGTERM) and reads the store file, until everything acknowledged is there
     * or a whole round adds nothing.
     */
    private Map<String, Set<Long>> drainAndReadStore() throws Exception {
        Map<String, Set<Long>> stored = Map.of();
        long before = -1;
        long expected = count(acknowledged);
        for (int round = 0; round < 5; round++) {
            awaitStoreSettled(expected);
            int exit = gateway.terminate(SERVE_WITHIN);
            assertEquals(0, exit, "SIGTERM: the gateway stops within 10 s with exit code 0: " + gateway.lastLog());
            stored = readStore();
            long now = count(stored);
            if (containsAll(stored, acknowledged) || now == before) {
                return stored;
            }
            before = now;
            gateway.start();
            gateway.awaitServing(Duration.ofSeconds(30));
        }
        return stored;
    }

    /** Polls the running gateway's embedded store until it holds {@code expected} observations or stops growing. */
    private void awaitStoreSettled(long expected) throws InterruptedException {
        String uri = gateway.embeddedMongoUri();
        try (MongoClient client = MongoClients.create(uri)) {
            DeliveryCounts.awaitStored(client.getDatabase("iomt").getCollection("observations"), expected, DRAIN_QUIET,
                    DRAIN_AT_MOST);
        }
    }

    private Map<String, Set<Long>> readStore() {
        Map<String, Set<Long>> stored = new HashMap<>();
        duplicates = 0;
        try (EmbeddedMongo mongo = EmbeddedMongo.start(dataDir, "127.0.0.1", 0);
             MongoClient client = MongoClients.create(mongo.connectionString())) {
            for (Document d : client.getDatabase("iomt").getCollection("observations").find()
                    .projection(Projections.include("sessionId", "seq"))) {
                long seq = ((Number) d.get("seq")).longValue();
                if (!stored.computeIfAbsent(d.getString("sessionId"), k -> new HashSet<>()).add(seq)) {
                    duplicates++;
                }
            }
        }
        return stored;
    }

    private static boolean containsAll(Map<String, Set<Long>> stored, Map<String, Set<Long>> expected) {
        return expected.entrySet().stream().allMatch(e -> stored.getOrDefault(e.getKey(), Set.of()).containsAll(e.getValue()));
    }

    private static long count(Map<String, Set<Long>> bySession) {
        return bySession.values().stream().mapToLong(Set::size).sum();
    }

    /** {@code ./iomt verify-audit} on the embedded store the gateway left (hash chain of every stream). */
    private int verifyAudit(Map<String, String> env) throws Exception {
        return IomtProcess.runToExit(env, dataDir.resolve("verify-audit.log"), Duration.ofSeconds(60), "verify-audit");
    }

    private static String get(String url) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
