package org.iomtpq.gateway.it.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import org.bson.Document;
import org.iomtpq.gateway.chain.RegistryClient;
import org.iomtpq.gateway.chain.RegistryContract;
import org.iomtpq.gateway.it.Forge;
import org.iomtpq.gateway.it.GatewayFixture;
import org.iomtpq.gateway.protocol.DeviceIdentity;
import org.iomtpq.gateway.protocol.Hex0x;
import org.iomtpq.gateway.audit.AuditHashChain;
import org.iomtpq.gateway.testsupport.EthNode;
import org.iomtpq.gateway.tools.VerifyAuditCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PROTOCOL.md §10 on a real Anvil: the gateway anchors its audit stream (RFC 6962 roots via anchorAudit), anchors stay
 * contiguous across a gateway restart, and ./iomt verify-audit recomputes the stream and every anchored root from
 * MongoDB and the chain's AuditAnchored logs — "intact" before, and the edited entry named after an edit.
 */
class AuditAnchorIT {

    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path dataDir;

    @Test
    void anchorsStayContiguousAcrossARestartAndTheVerifierFindsAnEdit() {
        try (EthNode anvil = EthNode.start(EthNode.Kind.ANVIL)) {
            String registry = ChainRig.deployForDevGateway(anvil, dataDir);
            Map<String, String> settings = new java.util.HashMap<>(
                    ChainRig.gatewaySettings(anvil.rpcUrl(), anvil.chainId(), registry, ""));
            settings.put("iomt.audit.anchor-interval-ms", "300");
            try (RegistryClient reader = ChainRig.reader(anvil.rpcUrl(), registry, anvil.chainId())) {
                String stream;
                long anchoredBeforeRestart;
                try (GatewayFixture gw = GatewayFixture.start(dataDir, settings)) {
                    stream = gw.runtime().components().audit().stream();
                    enroll(gw, "ANCHOR_DEV_1");
                    long head = head(gw, stream);
                    anchoredBeforeRestart = awaitAnchored(reader, stream, head);
                }
                try (GatewayFixture gw = GatewayFixture.start(dataDir, settings)) {
                    assertEquals(stream, gw.runtime().components().audit().stream(), "same data directory, same stream");
                    enroll(gw, "ANCHOR_DEV_2");
                    awaitAnchored(reader, stream, head(gw, stream));

                    ChainRig.awaitOutboxSettled(gw);
                    List<long[]> ranges = anchorRanges(gw, stream);
                    assertTrue(ranges.size() >= 2, "anchors before and after the restart: " + ranges.size());
                    assertEquals(1, ranges.get(0)[0], "the first anchor starts at seq 1");
                    for (int i = 1; i < ranges.size(); i++) {
                        assertEquals(ranges.get(i - 1)[1] + 1, ranges.get(i)[0], "anchor " + i + " continues the previous one");
                    }
                    assertTrue(ranges.stream().anyMatch(r -> r[0] == anchoredBeforeRestart + 1),
                            "an anchor after the restart starts where the last one before it ended");

                    String[] args = {"--mongo", gw.runtime().mongoUri(), "--stream", stream, "--rpc", anvil.rpcUrl(),
                        "--registry", registry};
                    Result intact = verify(args);
                    assertEquals(0, intact.exit(), intact.out());
                    assertTrue(intact.out().contains("intact"), intact.out());

                    gw.db().getCollection("audit_logs").updateOne(
                            Filters.and(Filters.eq("stream", stream), Filters.eq("seq", 2L)),
                            Updates.set("message", "nothing happened here"));
                    Result tampered = verify(args);
                    assertEquals(1, tampered.exit(), tampered.out());
                    assertTrue(tampered.out().contains("stream " + stream + " seq 2"), tampered.out());
                }
            }
        }
    }

    private static void enroll(GatewayFixture gw, String deviceId) {
        DeviceIdentity id = DeviceIdentity.generate(deviceId, "thermometer", RANDOM);
        GatewayFixture.Response r = gw.postAsOperator("/devices", Forge.enroll(id, Instant.now(), RANDOM));
        assertEquals(201, r.status(), r.body());
        ChainRig.awaitStatus(gw, deviceId, "ACTIVE");
    }

    private static long head(GatewayFixture gw, String stream) {
        Document last = gw.db().getCollection("audit_logs").find(Filters.eq("stream", stream))
                .sort(Sorts.descending("seq")).limit(1).first();
        return ((Number) last.get("seq")).longValue();
    }

    /** Waits until the chain's last anchored seq of the stream reaches {@code seq}; returns it. */
    private static long awaitAnchored(RegistryClient reader, String stream, long seq) {
        long[] anchored = new long[1];
        GatewayFixture.awaitTrue("stream anchored up to seq " + seq, ChainRig.CHAIN_WAIT, () -> {
            anchored[0] = ((Number) reader.call(reader.settings().requireRegistry(), RegistryContract.streamAnchor(
                    Hex0x.decode32(AuditHashChain.streamIdHash(stream)))).get(1).getValue()).longValue();
            return anchored[0] >= seq;
        });
        return anchored[0];
    }

    /** The anchored ranges, in order, from the gateway's confirmed ANCHOR outbox entries. */
    private static List<long[]> anchorRanges(GatewayFixture gw, String stream) {
        List<long[]> out = new ArrayList<>();
        gw.db().getCollection("outbox").find(Filters.and(Filters.eq("op", "ANCHOR"), Filters.eq("deviceId", stream),
                        Filters.eq("status", "CONFIRMED"))).sort(Sorts.ascending("firstSeq"))
                .forEach(d -> out.add(new long[] {((Number) d.get("firstSeq")).longValue(), ((Number) d.get("lastSeq")).longValue()}));
        return out;
    }

    private record Result(int exit, String out) {
    }

    private static Result verify(String[] args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        int exit = new VerifyAuditCommand(out, out).run(args);
        return new Result(exit, bytes.toString(StandardCharsets.UTF_8));
    }
}
