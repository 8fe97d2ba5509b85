package org.iomtpq.gateway.tools;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Updates.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.iomtpq.gateway.audit.AuditEntry;
import org.iomtpq.gateway.audit.AuditEvent;
import org.iomtpq.gateway.audit.AuditHashChain;
import org.iomtpq.gateway.config.GatewaySettings;
import org.iomtpq.gateway.embedded.EmbeddedMongo;
import org.iomtpq.gateway.store.AuditRepository;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class VerifyAuditCommandTest {

    private static final GatewaySettings SETTINGS = GatewaySettings.fromEnvironment(Map.of(
            "iomt.registry.mode", "none", "iomt.mongo.uri", "", "iomt.auditor-token", "", "iomt.operator-token", ""));

    private EmbeddedMongo mongo;
    private MongoClient client;
    private MongoCollection<Document> auditLogs;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void start() {
        mongo = EmbeddedMongo.startInMemory();
        client = MongoClients.create(mongo.connectionString());
        AuditRepository repository = new AuditRepository(client.getDatabase("iomt"));
        repository.insertAll(entries("gateway-01/a", 25));
        repository.insertAll(entries("gateway-01/b", 3));
        auditLogs = client.getDatabase("iomt").getCollection("audit_logs");
    }

    @AfterEach
    void stop() {
        client.close();
        mongo.close();
    }

    static List<AuditEntry> entries(String stream, int n) {
        AuditHashChain chain = new AuditHashChain(stream, "gateway-01", 0, AuditHashChain.ZERO_HASH);
        List<AuditEntry> out = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            AuditEntry e = chain.next(i % 4 == 0 ? AuditEvent.rejected("AUTH_FAILED", "BP_MONITOR_001", "rejected")
                    : AuditEvent.success("AUTHENTICATED", i % 2 == 0 ? null : "BP_MONITOR_001", "handshake " + i),
                    String.format("2026-11-23T19:00:%02d.%03dZ", i / 1000 % 60, i % 1000));
            chain.advance(e);
            out.add(e);
        }
        return out;
    }

    private int run(String... args) {
        return new VerifyAuditCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(args, SETTINGS);
    }

    private String output() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private void tamper(String stream, long seq, String field, Object value) {
        assertEquals(1, auditLogs.updateOne(and(eq("stream", stream), eq("seq", seq)), set(field, value))
                .getModifiedCount());
    }

    @Test
    void intactStreamsExitZero() {
        assertEquals(0, run("--mongo", mongo.connectionString()), err.toString());
        assertTrue(output().contains("stream gateway-01/a: intact: 25 entries, 0 anchors (last anchored seq 0)"), output());
        assertTrue(output().contains("stream gateway-01/b: intact: 3 entries"), output());
        assertTrue(output().contains("anchors: not checked"), output());
        assertTrue(output().contains("all 2 stream(s) intact"), output());
    }

    @Test
    void modifiedMessageExitsOneNamingStreamAndSeq() {
        tamper("gateway-01/a", 7, "message", "handshake 7 (nothing to see)");
        assertEquals(1, run("--mongo", mongo.connectionString()));
        assertTrue(output().contains("stream gateway-01/a seq 7: MODIFIED"), output());
        assertTrue(output().contains("stream gateway-01/b: intact"), output());
        assertTrue(output().contains("TAMPERING FOUND in 1 of 2 stream(s)"), output());
    }

    @Test
    void deletedDocumentIsAGap() {
        auditLogs.deleteOne(and(eq("stream", "gateway-01/a"), eq("seq", 12L)));
        assertEquals(1, run("--mongo", mongo.connectionString(), "--stream", "gateway-01/a"));
        assertTrue(output().contains("stream gateway-01/a seq 12: DELETED"), output());
        assertFalse(output().contains("gateway-01/b"), output());
    }

    @Test
    void swappedSeqFieldsAreReordered() {
        tamper("gateway-01/a", 9, "seq", -9L);
        tamper("gateway-01/a", 10, "seq", 9L);
        tamper("gateway-01/a", -9, "seq", 10L);
        assertEquals(1, run("--mongo", mongo.connectionString()));
        assertTrue(output().contains("stream gateway-01/a seq 9: REORDERED"), output());
    }

    @Test
    void malformedDocumentIsAModification() {
        tamper("gateway-01/a", 5, "status", "MAYBE");
        assertEquals(1, run("--mongo", mongo.connectionString()));
        assertTrue(output().contains("stream gateway-01/a seq 5: MODIFIED"), output());
        assertTrue(output().contains("unknown status 'MAYBE'"), output());
        // an earlier problem keeps precedence over the unreadable entry
        tamper("gateway-01/a", 2, "timestamp", "2026-11-23T19:00:00.000Z");
        out.reset();
        assertEquals(1, run("--mongo", mongo.connectionString()));
        assertTrue(output().contains("stream gateway-01/a seq 2: MODIFIED"), output());
    }

    @Test
    void unknownStreamIsEmptyAndIntact() {
        assertEquals(0, run("--mongo", mongo.connectionString(), "--stream", "nobody/here"));
        assertTrue(output().contains("stream nobody/here: intact: 0 entries"), output());
    }

    @Test
    void usageAndConnectionProblemsExitTwo() {
        assertEquals(2, run("--bogus", "x"));
        assertEquals(2, run("--mongo"));
        assertEquals(2, run("--mongo", mongo.connectionString(), "--api", "http://127.0.0.1:1"));
        assertEquals(2, run("--mongo", mongo.connectionString(), "--rpc", "http://127.0.0.1:8545"));
        assertEquals(2, run("--mongo", mongo.connectionString(), "--registry", "0x1234"));
        assertEquals(2, run("--api", "http://127.0.0.1:1"), "no token");
        assertEquals(2, run("--mongo", "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=300"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("verify-audit:"));
    }

    @Test
    void readsTheOperatorApiPageByPageWithoutMissingADuplicateAtAPageBoundary() throws Exception {
        List<AuditEntry> stream = new ArrayList<>(entries("gateway-01/api", ApiAuditSource.PAGE + 500));
        HttpServer server = fakeGateway("gateway-01/api", stream);
        try {
            String api = "http://127.0.0.1:" + server.getAddress().getPort();
            assertEquals(0, run("--api", api, "--token", "t0ken"), err.toString());
            assertTrue(output().contains("stream gateway-01/api: intact: 1500 entries"), output());

            // a forged second seq 1000, served just after the genuine one, i.e. on the next page
            AuditEntry g = stream.get(ApiAuditSource.PAGE - 1);
            stream.add(ApiAuditSource.PAGE, new AuditEntry(g.stream(), g.seq(), g.prevHash(), g.hash(), g.eventType(),
                    g.deviceId(), g.gatewayId(), g.timestamp(), g.status(), "forged"));
            out.reset();
            assertEquals(1, run("--api", api, "--token", "t0ken"));
            assertTrue(output().contains("stream gateway-01/api seq 1000: INSERTED"), output());

            assertEquals(2, run("--api", api, "--token", "wrong"));
        } finally {
            server.stop(0);
        }
    }

    /** GET /api/v1/audit as PROTOCOL.md §3 describes it, over a list that may hold duplicates. */
    private static HttpServer fakeGateway(String defaultStream, List<AuditEntry> entries) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        ObjectMapper json = new ObjectMapper();
        server.createContext("/api/v1/audit", exchange -> {
            Map<String, String> q = new LinkedHashMap<>();
            for (String kv : exchange.getRequestURI().getRawQuery().split("&")) {
                String[] p = kv.split("=", 2);
                q.put(p[0], java.net.URLDecoder.decode(p[1], StandardCharsets.UTF_8));
            }
            int status = "Bearer t0ken".equals(exchange.getRequestHeaders().getFirst("Authorization")) ? 200 : 401;
            String stream = q.getOrDefault("stream", defaultStream);
            long from = Long.parseLong(q.get("fromSeq"));
            int limit = Integer.parseInt(q.get("limit"));
            List<Map<String, Object>> page = new ArrayList<>();
            for (AuditEntry e : entries) {
                if (e.stream().equals(stream) && e.seq() >= from && page.size() < limit) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("stream", e.stream());
                    m.put("seq", e.seq());
                    m.put("prevHash", e.prevHash());
                    m.put("hash", e.hash());
                    m.put("eventType", e.eventType());
                    m.put("deviceId", e.deviceId());
                    m.put("gatewayId", e.gatewayId());
                    m.put("timestamp", e.timestamp());
                    m.put("status", e.status().name());
                    m.put("message", e.message());
                    page.add(m);
                }
            }
            byte[] body = json.writeValueAsBytes(Map.of("type", "audit", "v", 1, "stream", stream, "entries", page));
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return server;
    }
}
