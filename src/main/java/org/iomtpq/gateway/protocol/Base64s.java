package org.iomtpq.gateway.protocol;

import java.util.Base64;
import java.util.Objects;

/**
 * Canonical standard base64 with padding (RFC 4648 §4, §3.5), as §0 requires for all cryptographic material.
 *
 * <p>Why canonical only: a value that has several encodings could be replayed under a different string,
 * and the JSON string is what logs and duplicate detection see. We decode leniently with the JDK and then
 * require that re-encoding gives back exactly the input; that rejects missing padding, non-zero pad bits,
 * whitespace and the URL alphabet in one rule.
 */
public final class Base64s {
    private static final Base64.Encoder ENCODER = Base64.getEncoder();
    private static final Base64.Decoder DECODER = Base64.getDecoder();

    private Base64s() {
    }

    public static String encode(byte[] bytes) {
        return ENCODER.encodeToString(Objects.requireNonNull(bytes, "bytes"));
    }

    /** Decodes canonical base64 of any length; non-canonical input is {@code MALFORMED_REQUEST}. */
    public static byte[] decode(String encoded) {
        if (encoded == null) {
            throw ProtocolException.malformed("base64 value is missing");
        }
        byte[] decoded;
        try {
            decoded = DECODER.decode(encoded);
        } catch (IllegalArgumentException e) {
            throw ProtocolException.malformed("value is not standard base64");
        }
        if (!ENCODER.encodeToString(decoded).equals(encoded)) {
            throw ProtocolException.malformed("value is not canonical base64 (padding, pad bits or whitespace)");
        }
        return decoded;
    }

    /**
     * Decodes canonical base64 and checks the decoded length; a wrong length is reported with
     * {@code onWrongLength} (MALFORMED_REQUEST for most fields, INVALID_KEY for public keys).
     */
    public static byte[] decode(String encoded, int expectedLength, ErrorCode onWrongLength) {
        byte[] decoded = decode(encoded);
        if (decoded.length != expectedLength) {
            throw new ProtocolException(onWrongLength,
                    "decoded length " + decoded.length + " bytes, expected " + expectedLength);
        }
        return decoded;
    }
}
