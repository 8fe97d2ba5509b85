package org.iomtpq.gateway.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;

class AuditHashChainTest {

    @Test
    void firstEntryHashIsTheSpecsPreimageComputedIndependently() throws Exception {
        AuditHashChain chain = new AuditHashChain("gw/abc", "gw", 0, AuditHashChain.ZERO_HASH);
        AuditEntry e = chain.next(AuditEvent.success("AUTHENTICATED", "BP_MONITOR_001", "ok"), "2026-11-23T19:00:00.123Z");

        // PROTOCOL.md §10, written out by hand with the JDK only.
        ByteArrayOutputStream pre = new ByteArrayOutputStream();
        lp(pre, "iomt-pq/v1/audit");
        lp(pre, "gw/abc");
        pre.writeBytes(ByteBuffer.allocate(8).putLong(1).array());
        pre.writeBytes(new byte[32]);
        lp(pre, "AUTHENTICATED");
        lp(pre, "BP_MONITOR_001");
        lp(pre, "gw");
        lp(pre, "2026-11-23T19:00:00.123Z");
        lp(pre, "SUCCESS");
        lp(pre, "ok");
        String expected = "0x" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(pre.toByteArray()));

        assertEquals(expected, e.hash());
        assertEquals(AuditHashChain.ZERO_HASH, e.prevHash());
        assertEquals(1, e.seq());
    }

    @Test
    void entriesLinkAndTheHeadMovesOnlyWhenStored() {
        AuditHashChain chain = new AuditHashChain("s", "gw", 0, AuditHashChain.ZERO_HASH);
        AuditEntry first = chain.next(AuditEvent.rejected("REPLAY_REJECTED", null, "telemetry rejected: REPLAY"), "2026-11-23T19:00:00.000Z");
        AuditEntry again = chain.next(AuditEvent.rejected("REPLAY_REJECTED", null, "telemetry rejected: REPLAY"), "2026-11-23T19:00:00.000Z");
        assertEquals(first, again, "an unstored entry does not advance the chain");
        chain.advance(first);
        AuditEntry second = chain.next(AuditEvent.success("KEY_REVOKED", "X_1", "revoked"), "2026-11-23T19:00:01.000Z");
        assertEquals(2, second.seq());
        assertEquals(first.hash(), second.prevHash());
        assertThrows(IllegalStateException.class, () -> chain.advance(first), "the same entry cannot be stored twice");
    }

    @Test
    void anyFieldChangeChangesTheHash() {
        AuditEntry e = new AuditHashChain("s", "gw", 0, AuditHashChain.ZERO_HASH)
                .next(AuditEvent.success("AUTHENTICATED", "D_1", "m"), "2026-11-23T19:00:00.000Z");
        AuditEntry edited = new AuditEntry(e.stream(), e.seq(), e.prevHash(), e.hash(), e.eventType(), e.deviceId(),
                e.gatewayId(), e.timestamp(), AuditStatus.REJECTED, e.message());
        assertEquals(e.hash(), AuditHashChain.hash(e));
        assertNotEquals(e.hash(), AuditHashChain.hash(edited));
    }

    @Test
    void streamIdHashIsKeccak256OfTheStreamName() {
        // keccak256("abc"), the Ethereum known answer
        assertEquals("0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45", AuditHashChain.streamIdHash("abc"));
    }

    private static void lp(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeBytes(ByteBuffer.allocate(4).putInt(b.length).array());
        out.writeBytes(b);
    }
}
