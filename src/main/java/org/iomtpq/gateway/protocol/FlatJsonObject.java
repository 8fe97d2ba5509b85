package org.iomtpq.gateway.protocol;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.math.BigInteger;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One JSON object whose members are all scalars (every protocol message has this shape), read strictly.
 * A nested object or array is a wrong JSON type, which also turns NoSQL-operator shapes such as
 * {@code {"deviceId":{"$ne":null}}} into {@code MALFORMED_REQUEST} before anything else sees them.
 * A string value must be Unicode text: an escaped unpaired surrogate ({@code "\\ud800"}) is refused (fuzzing found it
 * accepted, and written back as '?'). Every failure is {@code MALFORMED_REQUEST} (oversize input:
 * {@code PAYLOAD_TOO_LARGE}).
 */
final class FlatJsonObject {
    private record Scalar(JsonToken token, String text, BigInteger integer) {
    }

    private final Map<String, Scalar> members;

    private FlatJsonObject(Map<String, Scalar> members) {
        this.members = members;
    }

    static FlatJsonObject parse(byte[] json) {
        String text = StrictJson.text(json, ErrorCode.MALFORMED_REQUEST);
        Map<String, Scalar> members = new LinkedHashMap<>();
        try (JsonParser p = StrictJson.parser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw ProtocolException.malformed("body is not a JSON object");
            }
            for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                members.put(name, scalar(p, value, name));
            }
            if (p.nextToken() != null) {
                throw ProtocolException.malformed("trailing content after the JSON object");
            }
        } catch (IOException e) {
            throw ProtocolException.malformed(StrictJson.describe(e));
        }
        return new FlatJsonObject(members);
    }

    private static Scalar scalar(JsonParser p, JsonToken value, String name) throws IOException {
        switch (value) {
            case VALUE_STRING:
                String text = p.getText();
                if (!StrictJson.isUnicodeText(text)) {
                    throw ProtocolException.malformed("field " + safeName(name) + " holds an unpaired surrogate escape");
                }
                return new Scalar(value, text, null);
            case VALUE_NUMBER_INT:
                return new Scalar(value, null, p.getBigIntegerValue());
            case VALUE_NULL:
            case VALUE_TRUE:
            case VALUE_FALSE:
            case VALUE_NUMBER_FLOAT:
                return new Scalar(value, null, null);
            default:
                throw ProtocolException.malformed("field " + safeName(name) + " has the wrong JSON type");
        }
    }

    /** Field names come from the peer: only echo names that look like ours. */
    static String safeName(String name) {
        return name != null && name.matches("[A-Za-z]{1,32}") ? "'" + name + "'" : "(unknown)";
    }

    /** Requires exactly {@code required} plus any of {@code optional}: no unknown, no missing member. */
    FlatJsonObject requireFields(Set<String> required, Set<String> optional) {
        for (String name : members.keySet()) {
            if (!required.contains(name) && !optional.contains(name)) {
                throw ProtocolException.malformed("unknown field " + safeName(name));
            }
        }
        Set<String> missing = new HashSet<>(required);
        missing.removeAll(members.keySet());
        if (!missing.isEmpty()) {
            throw ProtocolException.malformed("missing field '" + missing.stream().sorted().findFirst().get() + "'");
        }
        return this;
    }

    /** Requires {@code "type":expected} and {@code "v":1}. */
    FlatJsonObject requireTypeAndVersion(String expectedType) {
        if (!expectedType.equals(string("type"))) {
            throw ProtocolException.malformed("type must be '" + expectedType + "'");
        }
        if (integer("v", 0, Long.MAX_VALUE) != 1) {
            throw ProtocolException.malformed("unsupported protocol version (v must be 1)");
        }
        return this;
    }

    boolean has(String name) {
        return members.containsKey(name);
    }

    String string(String name) {
        Scalar s = members.get(name);
        if (s == null || s.token() != JsonToken.VALUE_STRING) {
            throw ProtocolException.malformed("field '" + name + "' must be a string");
        }
        return s.text();
    }

    /** A string or JSON null (absent counts as null; callers decide with requireFields whether it may be absent). */
    String nullableString(String name) {
        Scalar s = members.get(name);
        return s == null || s.token() == JsonToken.VALUE_NULL ? null : string(name);
    }

    /** A JSON integer (no fraction, no exponent, not a string) within [min, max]. */
    long integer(String name, long min, long max) {
        Scalar s = members.get(name);
        if (s == null || s.token() != JsonToken.VALUE_NUMBER_INT) {
            throw ProtocolException.malformed("field '" + name + "' must be a JSON integer");
        }
        BigInteger v = s.integer();
        if (v.compareTo(BigInteger.valueOf(min)) < 0 || v.compareTo(BigInteger.valueOf(max)) > 0) {
            throw ProtocolException.malformed("field '" + name + "' must be between " + min + " and " + max);
        }
        return v.longValueExact();
    }

    /**
     * A field the sender omits when it has no value (§8's {@code inReplyTo} and {@code seq}): absent is {@code null},
     * but a present field must carry a value — JSON {@code null} is not the same as absent and is refused.
     */
    String optionalString(String name) {
        return has(name) ? string(name) : null;
    }

    /** As {@link #optionalString}: absent is {@code null}, a present field must be an integer in [min, max]. */
    Long optionalInteger(String name, long min, long max) {
        return has(name) ? integer(name, min, max) : null;
    }

    Long nullableInteger(String name, long min, long max) {
        Scalar s = members.get(name);
        return s == null || s.token() == JsonToken.VALUE_NULL ? null : integer(name, min, max);
    }

    /** Canonical base64 of an exact decoded length; a wrong length is {@code onWrongLength}. */
    byte[] base64(String name, int length, ErrorCode onWrongLength) {
        try {
            return Base64s.decode(string(name), length, onWrongLength);
        } catch (ProtocolException e) {
            throw new ProtocolException(e.code(), "field '" + name + "': " + e.getMessage());
        }
    }

    /** Canonical base64 of any length of at least {@code minLength} bytes. */
    byte[] base64AtLeast(String name, int minLength) {
        byte[] b;
        try {
            b = Base64s.decode(string(name));
        } catch (ProtocolException e) {
            throw new ProtocolException(e.code(), "field '" + name + "': " + e.getMessage());
        }
        if (b.length < minLength) {
            throw ProtocolException.malformed("field '" + name + "' is shorter than " + minLength + " bytes");
        }
        return b;
    }

    String hash32(String name) {
        String v = string(name);
        if (!Hex0x.isHash32(v)) {
            throw ProtocolException.malformed("field '" + name + "' must be 0x followed by 64 lowercase hex digits");
        }
        return v;
    }

    String nullableHash32(String name) {
        return nullableString(name) == null ? null : hash32(name);
    }

    String timestamp(String name) {
        String v = string(name);
        try {
            Timestamps.parse(v);
        } catch (ProtocolException e) {
            throw ProtocolException.malformed("field '" + name + "': " + e.getMessage());
        }
        return v;
    }
}
