package org.iomtpq.gateway.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.iomtpq.gateway.audit.AuditVerifier.Anchor;
import org.iomtpq.gateway.audit.AuditVerifier.Kind;
import org.iomtpq.gateway.audit.AuditVerifier.Problem;
import org.iomtpq.gateway.audit.AuditVerifier.Report;
import org.junit.jupiter.api.Test;

class AuditVerifierTest {

    private static final String STREAM = "gateway-01/inst-a";

    /** A genuine stream of n entries, as the gateway writes it. */
    static List<AuditEntry> stream(String stream, int n) {
        AuditHashChain chain = new AuditHashChain(stream, "gateway-01", 0, AuditHashChain.ZERO_HASH);
        List<AuditEntry> out = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
            AuditEvent event = i % 3 == 0 ? AuditEvent.rejected("AUTH_FAILED", "BP_" + i, "handshake rejected")
                    : AuditEvent.success("AUTHENTICATED", i % 2 == 0 ? null : "BP_" + i, "session " + i);
            AuditEntry e = chain.next(event, String.format("2026-11-23T19:%02d:%02d.%03dZ", i / 3600 % 60, i / 60 % 60, i % 1000));
            chain.advance(e);
            out.add(e);
        }
        return out;
    }

    /** Anchors every {@code size} entries up to {@code upTo}, as the registry would hold them. */
    static List<Anchor> anchors(List<AuditEntry> entries, int size, int upTo) {
        List<Anchor> out = new ArrayList<>();
        for (int first = 1; first <= upTo; first += size) {
            int last = Math.min(upTo, first + size - 1);
            List<byte[]> hashes = entries.subList(first - 1, last).stream()
                    .map(e -> HexFormat.of().parseHex(e.hash().substring(2))).toList();
            out.add(new Anchor(first, last, "0x" + HexFormat.of().formatHex(MerkleTree.root(hashes)), "0xtx" + first));
        }
        return out;
    }

    private static AuditEntry withMessage(AuditEntry e, String message) {
        return new AuditEntry(e.stream(), e.seq(), e.prevHash(), e.hash(), e.eventType(), e.deviceId(), e.gatewayId(),
                e.timestamp(), e.status(), message);
    }

    private static AuditEntry withSeq(AuditEntry e, long seq) {
        return new AuditEntry(e.stream(), seq, e.prevHash(), e.hash(), e.eventType(), e.deviceId(), e.gatewayId(),
                e.timestamp(), e.status(), e.message());
    }

    /** Recomputes prevHash and hash from position {@code from} on: what an attacker without the anchors can do. */
    private static void rechain(List<AuditEntry> entries, int from) {
        for (int i = from; i < entries.size(); i++) {
            AuditEntry e = entries.get(i);
            String prev = i == 0 ? AuditHashChain.ZERO_HASH : entries.get(i - 1).hash();
            String hash = AuditHashChain.hash(e.stream(), i + 1, prev, e.eventType(), e.deviceId(), e.gatewayId(),
                    e.timestamp(), e.status(), e.message());
            entries.set(i, new AuditEntry(e.stream(), i + 1, prev, hash, e.eventType(), e.deviceId(), e.gatewayId(),
                    e.timestamp(), e.status(), e.message()));
        }
    }

    private static Problem problem(List<AuditEntry> entries, List<Anchor> anchors) {
        Report r = AuditVerifier.verify(STREAM, entries, anchors);
        assertFalse(r.intact(), "tampering must be found");
        return r.firstProblem().orElseThrow();
    }

    private static void assertProblem(Kind kind, long seq, Problem p) {
        assertEquals(kind, p.kind(), p.toString());
        assertEquals(seq, p.seq(), p.toString());
    }

    // ---- intact

    @Test
    void emptyStreamIsIntact() {
        Report r = AuditVerifier.verify(STREAM, List.of(), List.of());
        assertTrue(r.intact());
        assertEquals("intact: 0 entries, 0 anchors (last anchored seq 0)", r.describe());
    }

    @Test
    void singleEntryIsIntactWithAndWithoutItsAnchor() {
        List<AuditEntry> one = stream(STREAM, 1);
        assertTrue(AuditVerifier.verify(STREAM, one, List.of()).intact());
        Report r = AuditVerifier.verify(STREAM, one, anchors(one, 1, 1));
        assertTrue(r.intact());
        assertEquals(1, r.anchorsVerified());
        assertEquals(1, r.lastAnchoredSeq());
    }

    @Test
    void manyEntriesWithAnUnanchoredTailAreIntact() {
        List<AuditEntry> entries = stream(STREAM, 1000);
        Report r = AuditVerifier.verify(STREAM, entries, anchors(entries, 97, 900));
        assertTrue(r.intact(), r.describe());
        assertEquals(1000, r.entries());
        assertEquals(10, r.anchorsVerified());
        assertEquals(900, r.lastAnchoredSeq());
        assertEquals("intact: 1000 entries, 10 anchors (last anchored seq 900)", r.describe());
        assertTrue(AuditVerifier.verify(STREAM, entries, List.of()).intact());
        assertTrue(AuditVerifier.verify(STREAM, entries, anchors(entries, 1000, 1000)).intact());
    }

    // ---- tampering

    @Test
    void modifiedMessageIsPinpointed() {
        List<AuditEntry> entries = stream(STREAM, 50);
        entries.set(29, withMessage(entries.get(29), "nothing happened"));
        Problem p = problem(entries, List.of());
        assertProblem(Kind.MODIFIED, 30, p);
        assertEquals("stream " + STREAM + " seq 30: MODIFIED its fields no longer hash to its stored hash",
                AuditVerifier.verify(STREAM, entries, List.of()).describe());
    }

    @Test
    void modifiedTimestampIsPinpointed() {
        List<AuditEntry> entries = stream(STREAM, 50);
        AuditEntry e = entries.get(49);
        entries.set(49, new AuditEntry(e.stream(), e.seq(), e.prevHash(), e.hash(), e.eventType(), e.deviceId(),
                e.gatewayId(), "2026-11-23T19:00:00.124Z", e.status(), e.message()));
        assertProblem(Kind.MODIFIED, 50, problem(entries, anchors(stream(STREAM, 50), 10, 40)));
    }

    @Test
    void entryRewrittenWithItsHashButNotItsSuccessorBlamesTheRewrittenEntry() {
        List<AuditEntry> entries = stream(STREAM, 20);
        AuditEntry e = withMessage(entries.get(9), "forged");
        entries.set(9, new AuditEntry(e.stream(), e.seq(), e.prevHash(), AuditHashChain.hash(e), e.eventType(),
                e.deviceId(), e.gatewayId(), e.timestamp(), e.status(), e.message()));
        assertProblem(Kind.MODIFIED, 10, problem(entries, List.of()));
    }

    @Test
    void consistentRewriteIsCaughtOnlyByTheAnchor() {
        List<AuditEntry> genuine = stream(STREAM, 100);
        List<Anchor> anchored = anchors(genuine, 10, 100);
        List<AuditEntry> entries = new ArrayList<>(genuine);
        entries.set(44, withMessage(entries.get(44), "forged"));
        rechain(entries, 44);
        assertTrue(AuditVerifier.verify(STREAM, entries, List.of()).intact(), "without anchors it looks genuine");
        Report r = AuditVerifier.verify(STREAM, entries, anchored);
        assertProblem(Kind.MODIFIED, 41, r.firstProblem().orElseThrow());
        assertEquals(4, r.anchorsVerified());
        assertTrue(r.problem().detail().contains("41..50"), r.describe());
    }

    @Test
    void deletedEntryIsAGap() {
        List<AuditEntry> entries = stream(STREAM, 30);
        entries.remove(11);
        assertProblem(Kind.DELETED, 12, problem(entries, List.of()));
        entries.remove(11);
        Problem two = problem(entries, List.of());
        assertProblem(Kind.DELETED, 12, two);
        assertTrue(two.detail().contains("12..13"), two.detail());
        List<AuditEntry> noFirst = stream(STREAM, 3);
        noFirst.remove(0);
        assertProblem(Kind.DELETED, 1, problem(noFirst, List.of()));
    }

    @Test
    void deletionWithLaterSeqsRenumberedIsStillADeletion() {
        List<AuditEntry> entries = stream(STREAM, 30);
        entries.remove(11);
        for (int i = 11; i < entries.size(); i++) {
            entries.set(i, withSeq(entries.get(i), i + 1));
        }
        assertProblem(Kind.DELETED, 12, problem(entries, List.of()));
    }

    @Test
    void insertedEntryWithADuplicateSeq() {
        List<AuditEntry> entries = stream(STREAM, 30);
        AuditEntry forged = withMessage(entries.get(14), "forged");
        entries.add(15, forged);
        assertProblem(Kind.INSERTED, 15, problem(entries, List.of()));
        entries.remove(15);
        entries.add(14, forged);
        assertProblem(Kind.INSERTED, 15, problem(entries, List.of()));
    }

    @Test
    void insertedEntryWithLaterSeqsRenumbered() {
        List<AuditEntry> genuine = stream(STREAM, 30);
        // a careful forger: the new entry links and hashes correctly, later seqs are shifted up
        List<AuditEntry> entries = new ArrayList<>(genuine);
        AuditEntry before = entries.get(13);
        String hash = AuditHashChain.hash(STREAM, 15, before.hash(), "KEY_ROTATED", "BP_9", "gateway-01",
                "2026-11-23T19:00:00.000Z", AuditStatus.SUCCESS, "forged");
        entries.add(14, new AuditEntry(STREAM, 15, before.hash(), hash, "KEY_ROTATED", "BP_9", "gateway-01",
                "2026-11-23T19:00:00.000Z", AuditStatus.SUCCESS, "forged"));
        for (int i = 15; i < entries.size(); i++) {
            entries.set(i, withSeq(entries.get(i), i + 1));
        }
        assertProblem(Kind.INSERTED, 15, problem(entries, List.of()));

        // a sloppy one: the new entry neither links nor hashes
        List<AuditEntry> sloppy = new ArrayList<>(genuine);
        sloppy.add(14, new AuditEntry(STREAM, 15, AuditHashChain.ZERO_HASH, AuditHashChain.ZERO_HASH, "X", null,
                "gateway-01", "2026-11-23T19:00:00.000Z", AuditStatus.SUCCESS, "forged"));
        for (int i = 15; i < sloppy.size(); i++) {
            sloppy.set(i, withSeq(sloppy.get(i), i + 1));
        }
        assertProblem(Kind.INSERTED, 15, problem(sloppy, List.of()));
    }

    @Test
    void swappedEntriesAreReordered() {
        // the list order swapped, seqs untouched
        List<AuditEntry> entries = stream(STREAM, 30);
        AuditEntry a = entries.get(19);
        entries.set(19, entries.get(20));
        entries.set(20, a);
        assertProblem(Kind.REORDERED, 20, problem(entries, List.of()));

        // the seq fields swapped (read back sorted by seq): contents of 20 and 21 change places
        List<AuditEntry> relabelled = stream(STREAM, 30);
        AuditEntry x = relabelled.get(19);
        AuditEntry y = relabelled.get(20);
        relabelled.set(19, withSeq(y, 20));
        relabelled.set(20, withSeq(x, 21));
        assertProblem(Kind.REORDERED, 20, problem(relabelled, List.of()));
    }

    @Test
    void seqGoingBackwardsIsReordered() {
        List<AuditEntry> entries = stream(STREAM, 10);
        entries.add(6, entries.get(2));
        assertProblem(Kind.REORDERED, 3, problem(entries, List.of()));
    }

    @Test
    void truncatedTailAfterAnAnchorIsADeletion() {
        List<AuditEntry> genuine = stream(STREAM, 40);
        List<Anchor> anchored = anchors(genuine, 10, 30);
        List<AuditEntry> cut = new ArrayList<>(genuine.subList(0, 25));
        Report r = AuditVerifier.verify(STREAM, cut, anchored);
        assertProblem(Kind.DELETED, 26, r.firstProblem().orElseThrow());
        assertEquals(2, r.anchorsVerified());
        assertProblem(Kind.DELETED, 1, problem(List.of(), anchored));
        // cut after the last anchored entry: nothing anchored is missing, so it cannot be told apart
        assertTrue(AuditVerifier.verify(STREAM, genuine.subList(0, 30), anchored).intact());
    }

    @Test
    void anAnchorMismatchBeforeTheBreakIsReportedFirst() {
        List<AuditEntry> genuine = stream(STREAM, 60);
        List<Anchor> anchored = anchors(genuine, 10, 60);
        List<AuditEntry> entries = new ArrayList<>(genuine);
        entries.set(4, withMessage(entries.get(4), "forged"));
        rechain(entries, 4);
        entries.remove(40);
        assertProblem(Kind.MODIFIED, 1, problem(entries, anchored));
    }

    @Test
    void invalidAnchorListsAreReported() {
        List<AuditEntry> entries = stream(STREAM, 30);
        List<Anchor> anchored = anchors(entries, 10, 30);
        assertProblem(Kind.INVALID_ANCHORS, 21, problem(entries, List.of(anchored.get(0), anchored.get(2))));
        assertProblem(Kind.INVALID_ANCHORS, 11, problem(entries, List.of(anchored.get(1))));
        assertProblem(Kind.INVALID_ANCHORS, 5, problem(entries, List.of(new Anchor(1, 4, anchored.get(0).merkleRootHex(),
                "0x1"), new Anchor(5, 4, anchored.get(0).merkleRootHex(), "0x2"))));
        assertProblem(Kind.INVALID_ANCHORS, 1, problem(entries, List.of(new Anchor(1, 4, "0x12", "0x1"))));
    }

    @Test
    void entriesOfAnotherStreamAreModified() {
        List<AuditEntry> mine = stream(STREAM, 5);
        Report r = AuditVerifier.verify("another/stream", mine, List.of());
        assertProblem(Kind.MODIFIED, 1, r.firstProblem().orElseThrow());
        List<AuditEntry> entries = stream(STREAM, 5);
        entries.set(2, stream("other/stream", 5).get(2));
        assertFalse(AuditVerifier.verify(STREAM, entries, List.of()).intact());
    }

    @Test
    void malformedHashesAreModificationsNotCrashes() {
        List<AuditEntry> entries = stream(STREAM, 5);
        AuditEntry e = entries.get(3);
        entries.set(3, new AuditEntry(e.stream(), e.seq(), "0xnothex", e.hash(), e.eventType(), e.deviceId(),
                e.gatewayId(), e.timestamp(), e.status(), e.message()));
        assertProblem(Kind.MODIFIED, 4, problem(entries, List.of()));
    }
}
