package org.iomtpq.gateway.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;

import javax.net.ssl.SSLContext;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.iomtpq.gateway.startup.GatewayRuntime;
import org.iomtpq.gateway.config.GatewaySettings;
import org.iomtpq.gateway.crypto.MlKemPublicKey;
import org.iomtpq.gateway.protocol.ErrorCode;
import org.iomtpq.gateway.simulator.HttpDeviceTransport;
import org.iomtpq.gateway.simulator.OperatorClient;
import org.iomtpq.gateway.testsupport.FreePorts;

/**
 * One real gateway for integration tests: {@link GatewayRuntime} on embedded defaults (or on the MongoDB / broker the
 * caller names) with its own data directory, free ports, a unique MQTT client id and random tokens; plus a separate
 * MongoDB driver connection so tests check what was (not) stored without going through the gateway.
 */
public final class GatewayFixture implements AutoCloseable {

    public static final String GATEWAY_ID = "gateway-01";
    public static final String DATABASE = "iomt";
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(30);

    /** An HTTP answer as the client saw it. */
    public record Response(int status, String body, HttpHeaders headers) {
    }

    /** What an attack must never change. */
    public record Counts(long deviceKeys, long authenticatedSessions, long observations, long approvals) {
    }

    private final GatewayRuntime runtime;
    private final String operatorToken;
    private final String auditorToken;
    private final MongoClient mongo;
    private final HttpClient http;
    private final SecureRandom random = new SecureRandom();
    private MlKemPublicKey gatewayKey;

    private GatewayFixture(GatewayRuntime runtime, String operatorToken, String auditorToken, SSLContext trust) {
        this.runtime = runtime;
        HttpClient.Builder client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        this.http = (trust == null ? client : client.sslContext(trust)).build();
        this.operatorToken = operatorToken;
        this.auditorToken = auditorToken;
        this.mongo = MongoClients.create(MongoClientSettings.builder()
                .applyConnectionString(new ConnectionString(runtime.mongoUri()))
                .applyToClusterSettings(b -> b.serverSelectionTimeout(5, TimeUnit.SECONDS))
                .applyToSocketSettings(b -> b.connectTimeout(5, TimeUnit.SECONDS))
                .build());
    }

    /** Embedded MongoDB and broker under {@code dataDir}. */
    public static GatewayFixture start(Path dataDir) {
        return start(dataDir, Map.of());
    }

    /** {@code extra} wins over the fixture's defaults (e.g. iomt.mqtt.url, iomt.mongo.uri, iomt.session.max-messages). */
    public static GatewayFixture start(Path dataDir, Map<String, String> extra) {
        return start(dataDir, extra, null);
    }

    /** HTTPS (iomt.tls.* in {@code extra}): this fixture's clients trust what {@code trust} trusts. */
    public static GatewayFixture start(Path dataDir, Map<String, String> extra, SSLContext trust) {
        String operatorToken = randomText(24);
        String auditorToken = randomText(24);
        byte[] masterKey = new byte[32];
        new SecureRandom().nextBytes(masterKey);
        Map<String, String> o = new LinkedHashMap<>();
        o.put("iomt.data-dir", dataDir.toString());
        o.put("iomt.gateway-id", GATEWAY_ID);
        o.put("iomt.http.host", "127.0.0.1");
        o.put("iomt.http.port", String.valueOf(FreePorts.loopback()));
        o.put("iomt.mqtt.host", "127.0.0.1");
        o.put("iomt.mqtt.port", String.valueOf(FreePorts.loopback()));
        o.put("iomt.mqtt.tls-port", String.valueOf(FreePorts.loopback())); // used with iomt.tls.* only
        o.put("iomt.management.host", "127.0.0.1");
        o.put("iomt.management.port", String.valueOf(FreePorts.loopback()));
        o.put("iomt.mqtt.url", "");
        o.put("iomt.mongo.uri", "");
        o.put("iomt.mqtt.client-id", "it-gateway-" + UUID.randomUUID());
        o.put("iomt.operator-token", operatorToken);
        o.put("iomt.auditor-token", auditorToken);
        o.put("iomt.master-key", Base64.getEncoder().encodeToString(masterKey));
        o.put("iomt.registry.mode", "none");
        o.put("iomt.registry.address", ""); // an exported IOMT_REGISTRY_ADDRESS would contradict mode none
        o.put("iomt.audit-stream", "");
        // attack tests count one audit entry per rejection: no flood summarizing here (RejectionThrottleTest covers it)
        o.put("iomt.audit.rejections-per-window", "1000000");
        o.putAll(extra);
        GatewayRuntime runtime = GatewayRuntime.start(GatewaySettings.fromEnvironment(o));
        return new GatewayFixture(runtime, operatorToken, auditorToken, trust);
    }

    public GatewayRuntime runtime() {
        return runtime;
    }

    public String api() {
        return runtime.httpBaseUrl();
    }

    public String mqttUrl() {
        return runtime.mqttUrl();
    }

    public String operatorToken() {
        return operatorToken;
    }

    public String auditorToken() {
        return auditorToken;
    }

    public SecureRandom random() {
        return random;
    }

    public OperatorClient operator() {
        return new OperatorClient(api(), operatorToken, http);
    }

    public HttpDeviceTransport httpTransport() {
        return new HttpDeviceTransport(api(), operatorToken, http);
    }

    /** The gateway's ML-KEM key from its record (checked against kemKeyHash): what devices pin. */
    public synchronized MlKemPublicKey gatewayKey() {
        if (gatewayKey == null) {
            gatewayKey = operator().gatewayKey();
        }
        return gatewayKey;
    }

    // ---- HTTP ----

    /** Any request; {@code token} null sends no Authorization header, {@code body} null sends none. */
    public Response request(String method, String path, String token, byte[] body) {
        return requestWithAuthorization(method, path, token == null ? null : "Bearer " + token, body);
    }

    /** {@code authorization} is the whole header value (e.g. "Basic …"), or null for none. */
    public Response requestWithAuthorization(String method, String path, String authorization, byte[] body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api() + path)).timeout(HTTP_TIMEOUT)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body(), r.headers());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    public Response request(String method, String path, String token, String body) {
        return request(method, path, token, body == null ? null : body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    public Response post(String path, String body) {
        return request("POST", path, null, body);
    }

    public Response postAsOperator(String path, String body) {
        return request("POST", path, operatorToken, body);
    }

    public Response get(String path, String token) {
        return request("GET", path, token, (byte[]) null);
    }

    // ---- MongoDB, read behind the gateway's back ----

    public MongoDatabase db() {
        return mongo.getDatabase(DATABASE);
    }

    public long count(String collection, Bson filter) {
        return db().getCollection(collection).countDocuments(filter);
    }

    public Counts counts() {
        return new Counts(count("device_keys", new Document()),
                count("sessions", Filters.eq("state", "AUTHENTICATED")),
                count("observations", new Document()),
                count("approvals", new Document()));
    }

    public Optional<Document> observation(String sessionIdBase64, long seq) {
        return Optional.ofNullable(db().getCollection("observations")
                .find(Filters.and(Filters.eq("sessionId", sessionIdBase64), Filters.eq("seq", seq))).first());
    }

    public long observationCount(String sessionIdBase64, long seq) {
        return count("observations", Filters.and(Filters.eq("sessionId", sessionIdBase64), Filters.eq("seq", seq)));
    }

    public Optional<Document> device(String deviceId) {
        return Optional.ofNullable(db().getCollection("device_keys").find(Filters.eq("_id", deviceId)).first());
    }

    /** Audit entries of all streams, in insertion order. */
    public List<Document> audit() {
        List<Document> out = new ArrayList<>();
        db().getCollection("audit_logs").find().forEach(out::add);
        return out;
    }

    public List<Document> audit(String deviceId) {
        return audit().stream().filter(d -> deviceId.equals(d.getString("deviceId"))).toList();
    }

    public long auditCount(String deviceId, String eventType, String status) {
        return audit(deviceId).stream()
                .filter(d -> eventType.equals(d.getString("eventType")) && status.equals(d.getString("status"))).count();
    }

    /** Rejections audited with this code (the error mapper writes "… rejected: CODE"). */
    public long rejectedAudits(ErrorCode code) {
        return audit().stream().filter(d -> "REJECTED".equals(d.getString("status"))
                && d.getString("message") != null && d.getString("message").endsWith("rejected: " + code.name())).count();
    }

    // ---- waiting for asynchronous effects (MQTT) ----

    /** Polls until {@code probe} yields a value; fails with {@code what} after {@code timeout}. */
    public static <T> T await(String what, Duration timeout, Supplier<Optional<T>> probe) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<T> value = probe.get();
            if (value.isPresent()) {
                return value.get();
            }
            if (System.nanoTime() > deadline) {
                return fail("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return fail("interrupted while waiting for " + what);
            }
        }
    }

    public static void awaitTrue(String what, Duration timeout, Supplier<Boolean> condition) {
        await(what, timeout, () -> condition.get() ? Optional.of(Boolean.TRUE) : Optional.empty());
    }

    /**
     * A bearer token in the full RFC 6750 b64token alphabet, '+' and '/' and '=' padding included: each must reach
     * the authorizer as sent (an URL-decoding of headers once turned '+' into a space and refused such tokens).
     */
    private static String randomText(int bytes) {
        byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        return Base64.getEncoder().encodeToString(b).replace('=', '-') + "+/x=";
    }

    @Override
    public void close() {
        try {
            mongo.close();
        } finally {
            runtime.close();
        }
    }
}
