package org.iomtpq.gateway.audit;

import java.util.List;

import org.iomtpq.gateway.audit.AuditVerifier.Kind;
import org.iomtpq.gateway.audit.AuditVerifier.Problem;

/**
 * Names what happened at the first position where an audit stream stops verifying. Runs once per stream, on the
 * slow path only, so it may scan the whole list.
 *
 * <p>Given position {@code p} = the break (entries {@code 0..p-1} verified as seqs {@code 1..p}), {@code x} the
 * entry there, {@code E = p + 1} the seq expected and {@code P} the hash expected in {@code x.prevHash} (the
 * previous entry's hash, or zero), the first matching rule wins:
 * <ol>
 *   <li>{@code x.seq == E - 1} (the previous seq again): {@code INSERTED} at {@code x.seq}, a duplicate.</li>
 *   <li>{@code x.seq < E - 1}: {@code REORDERED} at {@code x.seq}, it comes after a higher seq.</li>
 *   <li>{@code x.seq > E}, and seq {@code E} occurs later in the list: {@code REORDERED} at {@code E}.</li>
 *   <li>{@code x.seq > E} otherwise: {@code DELETED} at {@code E} (seqs {@code E..x.seq-1} are missing).</li>
 *   <li>{@code x.stream} is another stream: {@code MODIFIED} at {@code x.seq}.</li>
 *   <li>{@code x.prevHash != P} and equals the hash of an entry later in the list: {@code REORDERED} at
 *       {@code x.seq} (it links to an entry that should precede it but is read after it).</li>
 *   <li>{@code x.prevHash != P} and equals the hash before the previous entry: {@code INSERTED} at {@code E - 1}
 *       (x links over its predecessor, which was slipped in and the later seqs renumbered).</li>
 *   <li>the next entry's {@code prevHash == P}: {@code INSERTED} at {@code x.seq} (the chain resumes after x as if
 *       x were not there).</li>
 *   <li>x's hash is valid for another seq {@code s} within {@link #RENUMBER_WINDOW} (nearest first, lower first on a
 *       tie): x was renumbered; {@code s > x.seq}: {@code DELETED} at {@code x.seq} (seqs {@code x.seq..s-1} were
 *       removed and the rest renumbered down); {@code s < x.seq}: {@code INSERTED} at {@code s}.</li>
 *   <li>{@code x.prevHash != P} while x's own hash is valid: {@code MODIFIED} at {@code E - 1} (the previous entry
 *       was rewritten together with its hash; for seq 1, its prevHash is not the zero hash).</li>
 *   <li>otherwise (x's hash is not its fields' hash): {@code MODIFIED} at {@code x.seq}.</li>
 * </ol>
 */
final class ChainBreak {

    /** How far from its stated seq a renumbered entry's original seq is searched (rule 9). */
    static final int RENUMBER_WINDOW = 64;

    private ChainBreak() {
    }

    static Problem classify(String stream, List<AuditEntry> entries, int p) {
        AuditEntry x = entries.get(p);
        long expectedSeq = p + 1L;
        String expectedPrev = p == 0 ? AuditHashChain.ZERO_HASH : entries.get(p - 1).hash();
        if (x.seq() < expectedSeq) {
            return x.seq() == expectedSeq - 1
                    ? new Problem(Kind.INSERTED, x.seq(), "a second entry with seq " + x.seq())
                    : new Problem(Kind.REORDERED, x.seq(), "seq " + x.seq() + " is read after seq " + (expectedSeq - 1));
        }
        if (x.seq() > expectedSeq) {
            if (positionOfSeq(entries, expectedSeq, p + 1) >= 0) {
                return new Problem(Kind.REORDERED, expectedSeq,
                        "seq " + expectedSeq + " is read after seq " + x.seq());
            }
            return new Problem(Kind.DELETED, expectedSeq, x.seq() == expectedSeq + 1 ? "seq " + expectedSeq + " is missing"
                    : "seqs " + expectedSeq + ".." + (x.seq() - 1) + " are missing");
        }
        if (!x.stream().equals(stream)) {
            return new Problem(Kind.MODIFIED, x.seq(), "the entry names stream '" + x.stream() + "'");
        }
        boolean linked = x.prevHash().equals(expectedPrev);
        if (!linked) {
            int target = positionOfHash(entries, x.prevHash(), p + 1);
            if (target >= 0) {
                return new Problem(Kind.REORDERED, x.seq(), "it links to the entry read later as seq "
                        + entries.get(target).seq());
            }
            String beforePrevious = p >= 2 ? entries.get(p - 2).hash() : p == 1 ? AuditHashChain.ZERO_HASH : null;
            if (x.prevHash().equals(beforePrevious)) {
                return new Problem(Kind.INSERTED, expectedSeq - 1, "seq " + x.seq() + " links past it to seq "
                        + (expectedSeq - 2) + ": it was slipped in and later seqs renumbered");
            }
        }
        if (p + 1 < entries.size() && entries.get(p + 1).prevHash().equals(expectedPrev)) {
            return new Problem(Kind.INSERTED, x.seq(), "seq " + entries.get(p + 1).seq() + " links past it to seq "
                    + (expectedSeq - 1));
        }
        boolean valid = AuditVerifier.hashIsValid(x);
        if (!valid) {
            long original = originalSeq(x);
            if (original > x.seq()) {
                return new Problem(Kind.DELETED, x.seq(), "the entry read as seq " + x.seq() + " was hashed as seq "
                        + original + ": seqs " + x.seq() + ".." + (original - 1) + " were removed and later seqs renumbered");
            }
            if (original > 0) {
                return new Problem(Kind.INSERTED, original, "the entry read as seq " + x.seq() + " was hashed as seq "
                        + original + ": entries were slipped in before it and later seqs renumbered");
            }
        }
        if (!linked && valid) {
            return expectedSeq == 1
                    ? new Problem(Kind.MODIFIED, 1, "seq 1 does not start from the zero hash")
                    : new Problem(Kind.MODIFIED, expectedSeq - 1, "seq " + x.seq() + " recorded another hash for it: "
                            + "it was rewritten together with its hash");
        }
        return new Problem(Kind.MODIFIED, x.seq(), "its fields no longer hash to its stored hash");
    }

    private static int positionOfSeq(List<AuditEntry> entries, long seq, int from) {
        for (int i = from; i < entries.size(); i++) {
            if (entries.get(i).seq() == seq) {
                return i;
            }
        }
        return -1;
    }

    private static int positionOfHash(List<AuditEntry> entries, String hash, int from) {
        for (int i = from; i < entries.size(); i++) {
            if (entries.get(i).hash().equals(hash)) {
                return i;
            }
        }
        return -1;
    }

    /** The seq (other than its own) that x's stored hash was computed with, or 0 if none nearby. */
    private static long originalSeq(AuditEntry x) {
        for (int d = 1; d <= RENUMBER_WINDOW; d++) {
            for (long s : new long[] {x.seq() - d, x.seq() + d}) {
                if (s >= 1 && hashesAs(x, s)) {
                    return s;
                }
            }
        }
        return 0;
    }

    private static boolean hashesAs(AuditEntry x, long seq) {
        try {
            return AuditHashChain.hash(x.stream(), seq, x.prevHash(), x.eventType(), x.deviceId(), x.gatewayId(),
                    x.timestamp(), x.status(), x.message()).equals(x.hash());
        } catch (IllegalArgumentException malformed) {
            return false;
        }
    }
}
