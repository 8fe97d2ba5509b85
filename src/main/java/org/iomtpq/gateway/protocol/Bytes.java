package org.iomtpq.gateway.protocol;

import java.util.Arrays;
import java.util.Objects;

/** Small helpers for the defensive copies every message record makes of its byte arrays. */
final class Bytes {
    private Bytes() {
    }

    static byte[] copy(byte[] bytes, String field) {
        return Objects.requireNonNull(bytes, field).clone();
    }

    static void wipe(byte[] bytes) {
        if (bytes != null) {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
