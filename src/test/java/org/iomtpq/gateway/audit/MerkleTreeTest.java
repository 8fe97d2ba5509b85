package org.iomtpq.gateway.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MerkleTreeTest {

    private static final HexFormat HEX = HexFormat.of();

    /**
     * RFC 6962 §2.1 written literally, as an independent reference: MTH({}) = SHA-256(), MTH({d0}) =
     * SHA-256(0x00 || d0), MTH(D[n]) = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n])) with k the largest power of two
     * smaller than n. Uses the JDK's MessageDigest only, nothing from the class under test.
     */
    private static byte[] referenceMth(List<byte[]> d) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        int n = d.size();
        if (n == 0) {
            return sha.digest();
        }
        if (n == 1) {
            sha.update((byte) 0x00);
            sha.update(d.get(0));
            return sha.digest();
        }
        int k = 1;
        while (k * 2 < n) {
            k *= 2;
        }
        byte[] left = referenceMth(d.subList(0, k));
        byte[] right = referenceMth(d.subList(k, n));
        sha.update((byte) 0x01);
        sha.update(left);
        sha.update(right);
        return sha.digest();
    }

    private static List<byte[]> entryHashes(int n, long seed) {
        Random random = new Random(seed);
        List<byte[]> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte[] h = new byte[32];
            random.nextBytes(h);
            out.add(h);
        }
        return out;
    }

    @Test
    void zeroToEightLeavesMatchTheLiteralRecursiveDefinition() throws Exception {
        for (int n = 0; n <= 8; n++) {
            List<byte[]> leaves = entryHashes(n, 42 + n);
            assertArrayEquals(referenceMth(leaves), MerkleTree.root(leaves), "n=" + n);
        }
    }

    @Test
    void smallTreesSpelledOutByHand() throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        List<byte[]> d = entryHashes(3, 7);
        byte[][] leaf = new byte[3][];
        for (int i = 0; i < 3; i++) {
            sha.update((byte) 0);
            sha.update(d.get(i));
            leaf[i] = sha.digest();
        }
        sha.update((byte) 1);
        sha.update(leaf[0]);
        sha.update(leaf[1]);
        byte[] n01 = sha.digest();
        sha.update((byte) 1);
        sha.update(n01);
        sha.update(leaf[2]);
        byte[] expected3 = sha.digest();

        assertArrayEquals(sha.digest(), MerkleTree.root(List.of()), "empty list: SHA-256 of nothing");
        assertArrayEquals(leaf[0], MerkleTree.root(d.subList(0, 1)));
        assertArrayEquals(n01, MerkleTree.root(d.subList(0, 2)));
        assertArrayEquals(expected3, MerkleTree.root(d));
    }

    /**
     * The Certificate Transparency / Trillian reference tree (leaf inputs and roots for sizes 0..8, from the CT
     * project's merkle tree tests, reproduced identically by many independent RFC 6962 implementations). Our public
     * API takes 32-byte entry hashes only, so these go through the package-private leaf-data entry point.
     */
    @Test
    void certificateTransparencyReferenceRoots() {
        String[] leaves = {"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
            "606162636465666768696a6b6c6d6e6f"};
        String[] roots = {
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
            "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};
        List<byte[]> data = new ArrayList<>();
        for (String leaf : leaves) {
            data.add(HEX.parseHex(leaf));
        }
        for (int n = 0; n <= 8; n++) {
            assertEquals(roots[n], HEX.formatHex(MerkleTree.rootOfLeafData(data.subList(0, n))), "size " + n);
        }
    }

    @Test
    void randomSizesUpToOneThousandAgreeWithTheReference() throws Exception {
        Random sizes = new Random(2026);
        for (int round = 0; round < 60; round++) {
            int n = round < 20 ? round + 9 : sizes.nextInt(1001);
            List<byte[]> leaves = entryHashes(n, round);
            assertArrayEquals(referenceMth(leaves), MerkleTree.root(leaves), "n=" + n);
        }
    }

    @Test
    void powersOfTwoAndTheirNeighbours() throws Exception {
        for (int p = 1; p <= 1024; p *= 2) {
            for (int n = Math.max(0, p - 1); n <= p + 1; n++) {
                List<byte[]> leaves = entryHashes(n, n * 31L);
                assertArrayEquals(referenceMth(leaves), MerkleTree.root(leaves), "n=" + n);
            }
        }
    }

    @Test
    void orderMattersAndInputIsNotModified() {
        List<byte[]> leaves = entryHashes(5, 1);
        List<byte[]> copy = leaves.stream().map(byte[]::clone).toList();
        byte[] root = MerkleTree.root(leaves);
        for (int i = 0; i < 5; i++) {
            assertArrayEquals(copy.get(i), leaves.get(i));
        }
        List<byte[]> swapped = new ArrayList<>(leaves);
        swapped.set(1, leaves.get(2));
        swapped.set(2, leaves.get(1));
        assertEquals(false, java.util.Arrays.equals(root, MerkleTree.root(swapped)));
    }

    @Test
    void rejectsLeavesThatAreNotEntryHashes() {
        assertThrows(IllegalArgumentException.class, () -> MerkleTree.root(List.of(new byte[31])));
        List<byte[]> withNull = new ArrayList<>();
        withNull.add(null);
        assertThrows(IllegalArgumentException.class, () -> MerkleTree.root(withNull));
    }
}
