package org.iomtpq.gateway.audit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Checks one audit stream (PROTOCOL.md §10) against itself and against the Merkle roots anchored on chain, and names
 * the first problem found. Pure and single-threaded; linear in the number of entries on an intact stream.
 *
 * <h2>What is checked, in this order (the first failure is the answer)</h2>
 * <ol>
 *   <li><b>Anchor shape.</b> Anchors are taken in the order given (chain order). The first must start at seq 1,
 *       each next one at the previous {@code lastSeq + 1}, and {@code firstSeq <= lastSeq}; the root must be
 *       {@code 0x} + 64 hex digits. The registry enforces all of this, so a violation means the anchor list is
 *       incomplete or not from the registry: {@link Kind#INVALID_ANCHORS} at that anchor's {@code firstSeq}.</li>
 *   <li><b>The chain, entry by entry.</b> Position {@code i} (0-based, in the order read) must hold {@code stream},
 *       {@code seq == i + 1}, {@code prevHash} equal to the previous entry's {@code hash} (the zero hash for seq 1),
 *       and a {@code hash} equal to the one recomputed from its fields. The first position that fails is the
 *       <i>break</i>; everything before it is a verified prefix.</li>
 *   <li><b>Anchors over the verified prefix.</b> Every anchor lying wholly inside the prefix must equal the RFC 6962
 *       root of its entries' hashes ({@link MerkleTree}); a mismatch is {@link Kind#MODIFIED} at the anchor's
 *       {@code firstSeq}: entries in that range were rewritten and their hashes (and all later ones) recomputed, which
 *       only the anchor can reveal. It is reported before the break because it lies at a lower seq.</li>
 *   <li><b>The break</b>, classified by {@link ChainBreak} (rules there), if there is one.</li>
 *   <li><b>Anchors beyond the end.</b> On an intact chain of n entries, an anchor reaching past seq n means anchored
 *       entries are gone: {@link Kind#DELETED} at seq n + 1 (a truncated tail).</li>
 * </ol>
 * Limits: the hash chain has no secret, so entries after the last anchor that were rewritten together with every
 * later hash, or a tail cut off after the last anchor, are indistinguishable from the genuine stream.
 */
public final class AuditVerifier {

    private static final HexFormat HEX = HexFormat.of();

    /** How the stream was tampered with. */
    public enum Kind { MODIFIED, DELETED, INSERTED, REORDERED, INVALID_ANCHORS }

    /** The first problem: its kind, the seq it is pinned to, and a sentence for a human. */
    public record Problem(Kind kind, long seq, String detail) {
        public Problem {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(detail, "detail");
        }
    }

    /** An {@code AuditAnchored} log: entries {@code firstSeq..lastSeq} had Merkle root {@code merkleRootHex}. */
    public record Anchor(long firstSeq, long lastSeq, String merkleRootHex, String txHash) {
        public Anchor {
            Objects.requireNonNull(merkleRootHex, "merkleRootHex");
        }
    }

    /**
     * The outcome for one stream. {@code entries}: how many were read; {@code anchorsVerified} and
     * {@code lastAnchoredSeq}: the anchors whose roots matched (0 / 0 for none); {@code problem}: null when intact.
     */
    public record Report(String stream, long entries, int anchorsVerified, long lastAnchoredSeq, Problem problem) {
        public Report {
            Objects.requireNonNull(stream, "stream");
        }

        public boolean intact() {
            return problem == null;
        }

        public Optional<Problem> firstProblem() {
            return Optional.ofNullable(problem);
        }

        /** "intact: N entries, K anchors (last anchored seq X)" or "stream S seq N: KIND detail". */
        public String describe() {
            if (problem == null) {
                return "intact: " + entries + " entries, " + anchorsVerified + " anchors (last anchored seq "
                        + lastAnchoredSeq + ")";
            }
            return "stream " + stream + " seq " + problem.seq() + ": " + problem.kind() + " " + problem.detail();
        }
    }

    private AuditVerifier() {
    }

    /**
     * Verifies {@code entries} (as read, expected in ascending seq) of {@code stream} against {@code anchors} (as
     * emitted on chain, in chain order). Never throws for tampered content; only null arguments are refused.
     */
    public static Report verify(String stream, List<AuditEntry> entries, List<Anchor> anchors) {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(entries, "entries");
        Objects.requireNonNull(anchors, "anchors");
        int n = entries.size();
        Problem shape = anchorShape(anchors);
        if (shape != null) {
            return new Report(stream, n, 0, 0, shape);
        }
        int prefix = verifiedPrefix(stream, entries);
        int verified = 0;
        long lastAnchored = 0;
        for (Anchor anchor : anchors) {
            if (anchor.lastSeq() > prefix) {
                break;
            }
            if (!rootMatches(entries, anchor)) {
                return new Report(stream, n, verified, lastAnchored, new Problem(Kind.MODIFIED, anchor.firstSeq(),
                        "entries " + anchor.firstSeq() + ".." + anchor.lastSeq() + " no longer match the Merkle root "
                                + "anchored in tx " + anchor.txHash() + ": rewritten together with their hashes"));
            }
            verified++;
            lastAnchored = anchor.lastSeq();
        }
        if (prefix < n) {
            return new Report(stream, n, verified, lastAnchored, ChainBreak.classify(stream, entries, prefix));
        }
        if (verified < anchors.size()) {
            Anchor beyond = anchors.get(verified);
            long anchoredEnd = anchors.get(anchors.size() - 1).lastSeq();
            return new Report(stream, n, verified, lastAnchored, new Problem(Kind.DELETED, n + 1L,
                    "the stream ends at seq " + n + " but entries up to seq " + anchoredEnd + " were anchored (tx "
                            + beyond.txHash() + " covers " + beyond.firstSeq() + ".." + beyond.lastSeq()
                            + "): the tail was cut off"));
        }
        return new Report(stream, n, verified, lastAnchored, null);
    }

    /** The number of leading entries that are in place, linked and unmodified (n for an intact chain). */
    static int verifiedPrefix(String stream, List<AuditEntry> entries) {
        String expectedPrev = AuditHashChain.ZERO_HASH;
        int i = 0;
        for (AuditEntry e : entries) {
            if (e.seq() != i + 1L || !e.prevHash().equals(expectedPrev) || !e.stream().equals(stream)
                    || !hashIsValid(e)) {
                return i;
            }
            expectedPrev = e.hash();
            i++;
        }
        return i;
    }

    /** Whether the stored hash is the one recomputed from the entry's fields (a malformed prevHash is not). */
    static boolean hashIsValid(AuditEntry e) {
        try {
            return AuditHashChain.hash(e).equals(e.hash());
        } catch (IllegalArgumentException malformed) {
            return false;
        }
    }

    private static Problem anchorShape(List<Anchor> anchors) {
        long expectedFirst = 1;
        for (Anchor a : anchors) {
            String why = null;
            if (a.firstSeq() != expectedFirst) {
                why = "starts at seq " + a.firstSeq() + " but the anchors so far end at seq " + (expectedFirst - 1);
            } else if (a.lastSeq() < a.firstSeq()) {
                why = "ends at seq " + a.lastSeq() + " before it starts";
            } else if (!a.merkleRootHex().matches("0x[0-9a-fA-F]{64}")) {
                why = "has a malformed root";
            }
            if (why != null) {
                return new Problem(Kind.INVALID_ANCHORS, a.firstSeq(), "the anchor in tx " + a.txHash() + " " + why
                        + ": the anchor list is incomplete or not from the registry");
            }
            expectedFirst = a.lastSeq() + 1;
        }
        return null;
    }

    /** Entries {@code firstSeq..lastSeq} sit at positions {@code firstSeq-1..lastSeq-1} of a verified prefix. */
    private static boolean rootMatches(List<AuditEntry> entries, Anchor anchor) {
        int from = (int) (anchor.firstSeq() - 1);
        int to = (int) anchor.lastSeq();
        List<byte[]> hashes = new ArrayList<>(to - from);
        for (AuditEntry e : entries.subList(from, to)) {
            hashes.add(HEX.parseHex(e.hash(), 2, e.hash().length()));
        }
        byte[] expected = HEX.parseHex(anchor.merkleRootHex().substring(2).toLowerCase(java.util.Locale.ROOT));
        return Arrays.equals(MerkleTree.root(hashes), expected);
    }
}
