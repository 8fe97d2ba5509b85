package org.iomtpq.gateway.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Builder for the length-prefixed encodings of §0 that feed signatures, the transcript hash and the AAD.
 * Every variable-length field is prefixed with its length so that no two different field lists encode
 * to the same bytes.
 */
public final class Lp {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(256);

    private Lp() {
    }

    public static Lp builder() {
        return new Lp();
    }

    /** LP(UTF-8 bytes of s): callers pass the string exactly as it was sent, never re-formatted. */
    public Lp lp(String utf8) {
        return lp(Objects.requireNonNull(utf8, "utf8").getBytes(StandardCharsets.UTF_8));
    }

    /** LP(x) = uint32_be(len(x)) || x. */
    public Lp lp(byte[] raw) {
        Objects.requireNonNull(raw, "raw");
        int n = raw.length;
        out.write(n >>> 24);
        out.write(n >>> 16);
        out.write(n >>> 8);
        out.write(n);
        out.write(raw, 0, n);
        return this;
    }

    /** uint64_be(n). */
    public Lp u64(long n) {
        for (int shift = 56; shift >= 0; shift -= 8) {
            out.write((int) (n >>> shift));
        }
        return this;
    }

    /** Bytes without a length prefix (fixed-size fields such as a 32-byte hash). */
    public Lp raw(byte[] bytes) {
        out.write(Objects.requireNonNull(bytes, "bytes"), 0, bytes.length);
        return this;
    }

    public byte[] toByteArray() {
        return out.toByteArray();
    }
}
