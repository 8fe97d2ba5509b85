package org.iomtpq.gateway.protocol;

import java.util.Objects;
import java.util.regex.Pattern;

/** Lowercase {@code 0x}-prefixed hex for hashes and chain values (§0). */
public final class Hex0x {
    private static final char[] DIGITS = "0123456789abcdef".toCharArray();
    private static final Pattern HASH32 = Pattern.compile("^0x[0-9a-f]{64}$");
    private static final Pattern ADDRESS = Pattern.compile("^0x[0-9a-f]{40}$");

    private Hex0x() {
    }

    public static String encode(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        char[] out = new char[2 + bytes.length * 2];
        out[0] = '0';
        out[1] = 'x';
        for (int i = 0; i < bytes.length; i++) {
            out[2 + 2 * i] = DIGITS[(bytes[i] >>> 4) & 0xf];
            out[3 + 2 * i] = DIGITS[bytes[i] & 0xf];
        }
        return new String(out);
    }

    public static boolean isHash32(String s) {
        return s != null && HASH32.matcher(s).matches();
    }

    /** An Ethereum address as this protocol writes it: lowercase, no EIP-55 checksum casing. */
    public static boolean isAddress(String s) {
        return s != null && ADDRESS.matcher(s).matches();
    }

    /** Strictly decodes {@code 0x} + 64 lowercase hex digits; anything else is {@code MALFORMED_REQUEST}. */
    public static byte[] decode32(String s) {
        if (!isHash32(s)) {
            throw ProtocolException.malformed("value is not 0x followed by 64 lowercase hex digits");
        }
        byte[] out = new byte[32];
        for (int i = 0; i < 32; i++) {
            out[i] = (byte) ((Character.digit(s.charAt(2 + 2 * i), 16) << 4) | Character.digit(s.charAt(3 + 2 * i), 16));
        }
        return out;
    }
}
