package org.iomtpq.gateway.crypto;

/** Comparisons whose running time does not depend on where two secrets differ (MAC checks). */
public final class ConstantTime {

    private ConstantTime() {
    }

    /**
     * True iff both arrays have the same length and contents. Time depends only on the length,
     * which is public (MACs and keys have fixed sizes); different lengths return false at once.
     */
    public static boolean equals(byte[] a, byte[] b) {
        if (a == null || b == null || a.length != b.length) {
            return false;
        }
        int diff = 0;
        for (int i = 0; i < a.length; i++) {
            diff |= a[i] ^ b[i];
        }
        return diff == 0;
    }
}
