package org.iomtpq.gateway.audit;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Objects;

/**
 * RFC 6962 §2.1 Merkle Tree Hash over audit entries, the value an anchor puts on chain (PROTOCOL.md §10):
 * {@code leaf = SHA-256(0x00 || hash)}, {@code node = SHA-256(0x01 || left || right)}, split at the largest power of
 * two below n, and the empty list hashes to {@code SHA-256("")}.
 *
 * <p>Computed bottom-up rather than by the RFC's recursion: pairing neighbours level by level and carrying a lone
 * last node up unchanged builds exactly the RFC's left-complete tree (its left subtree is always the perfect one of
 * 2^k leaves), in O(n) time, without recursion depth or sub-list copies. {@code MerkleTreeTest} checks the two agree.
 * The 0x00/0x01 prefixes keep a leaf from ever being passed off as an inner node (second-preimage defence).
 */
public final class MerkleTree {

    private static final byte LEAF_PREFIX = 0x00;
    private static final byte NODE_PREFIX = 0x01;
    private static final int ENTRY_HASH_LENGTH = 32;

    private MerkleTree() {
    }

    /**
     * The Merkle Tree Hash of {@code entryHashes} (the raw 32-byte {@code hash} values of consecutive entries, in
     * seq order). Throws {@link IllegalArgumentException} for an element that is not 32 bytes: an anchor is only ever
     * computed over entry hashes, and a wrong length means a decoding slip upstream.
     */
    public static byte[] root(List<byte[]> entryHashes) {
        Objects.requireNonNull(entryHashes, "entryHashes");
        for (byte[] h : entryHashes) {
            if (h == null || h.length != ENTRY_HASH_LENGTH) {
                throw new IllegalArgumentException("a Merkle leaf must be a 32-byte audit entry hash");
            }
        }
        return rootOfLeafData(entryHashes);
    }

    /**
     * The RFC's MTH over leaf data of any length. Package-private: lets the tests replay the Certificate
     * Transparency reference vectors, whose leaves are not 32 bytes.
     */
    static byte[] rootOfLeafData(List<byte[]> leafData) {
        MessageDigest sha256 = newSha256();
        int n = leafData.size();
        if (n == 0) {
            return sha256.digest();
        }
        byte[][] level = new byte[n][];
        for (int i = 0; i < n; i++) {
            sha256.update(LEAF_PREFIX);
            sha256.update(leafData.get(i));
            level[i] = sha256.digest();
        }
        // Reduce in place: level[0..width) holds the current level; each pass halves it (rounding up).
        int width = n;
        while (width > 1) {
            int next = 0;
            for (int i = 0; i + 1 < width; i += 2) {
                sha256.update(NODE_PREFIX);
                sha256.update(level[i]);
                sha256.update(level[i + 1]);
                level[next++] = sha256.digest();
            }
            if ((width & 1) == 1) {
                level[next++] = level[width - 1];
            }
            width = next;
        }
        return level[0];
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
    }
}
