package org.iomtpq.gateway.protocol;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.iomtpq.gateway.crypto.MlDsa;
import org.iomtpq.gateway.crypto.MlKem;

/**
 * Builds JSON of one message type from a fuzzer's choices, field by field: most fields valid, some absent, null, of
 * another JSON type, duplicated, escaped, nested or a near miss of their format; sometimes an unknown field, trailing
 * content or a byte order mark. Knows which choices make the message certainly wrong ({@link Built#mustRefuse}) and
 * when it is certainly valid ({@link Built#mustAccept}); {@link Built#plain} is the same message without escapes.
 * Large binary values come from a seeded generator, not from the fuzzer's bytes, so the choices stay cheap.
 */
final class NearlyValidJson {

    enum Kind { ID, DEVICE_TYPE, SUITE, B64, KEY, CIPHERTEXT, TIMESTAMP, INT, SEQ0, DEVICE_STATUS, ROTATION_STATUS,
        HASH, NULLABLE_HASH, ADDRESS, CODE, STEP, TEXT }

    record Field(String name, Kind kind, int bytes, boolean optional) {
        boolean nullable() {
            return kind == Kind.NULLABLE_HASH || kind == Kind.ADDRESS;
        }
    }

    record Built(String sent, String plain, boolean mustRefuse, boolean mustAccept, boolean typeIntact, String why) {
    }

    private static final Map<String, List<Field>> MESSAGES = Map.ofEntries(
            Map.entry("enroll", List.of(f("deviceId", Kind.ID), f("deviceType", Kind.DEVICE_TYPE),
                    f("kemPublicKey", Kind.KEY, MlKem.PUBLIC_KEY_BYTES), f("sigPublicKey", Kind.KEY, MlDsa.PUBLIC_KEY_BYTES),
                    f("timestamp", Kind.TIMESTAMP), f("signature", Kind.B64, MlDsa.SIGNATURE_BYTES))),
            Map.entry("hello", List.of(f("deviceId", Kind.ID), f("gatewayId", Kind.ID), f("suite", Kind.SUITE),
                    f("nonce", Kind.B64, 32), f("ephemeralKemPublicKey", Kind.KEY, MlKem.PUBLIC_KEY_BYTES),
                    f("gatewayCiphertext", Kind.B64, MlKem.CIPHERTEXT_BYTES))),
            Map.entry("finished", List.of(f("deviceId", Kind.ID), f("sessionId", Kind.B64, 16), f("mac", Kind.B64, 32))),
            Map.entry("telemetry", List.of(f("deviceId", Kind.ID), f("sessionId", Kind.B64, 16), f("seq", Kind.INT),
                    f("ciphertext", Kind.CIPHERTEXT, 16))),
            Map.entry("rotate", List.of(f("deviceId", Kind.ID), f("kemPublicKey", Kind.KEY, MlKem.PUBLIC_KEY_BYTES),
                    f("sigPublicKey", Kind.KEY, MlDsa.PUBLIC_KEY_BYTES), f("timestamp", Kind.TIMESTAMP),
                    f("signature", Kind.B64, MlDsa.SIGNATURE_BYTES), f("newSignature", Kind.B64, MlDsa.SIGNATURE_BYTES))),
            Map.entry("server-hello", List.of(f("deviceId", Kind.ID), f("gatewayId", Kind.ID), f("sessionId", Kind.B64, 16),
                    f("nonce", Kind.B64, 32), f("expiresAt", Kind.TIMESTAMP), f("maxMessages", Kind.INT),
                    f("staticCiphertext", Kind.B64, MlKem.CIPHERTEXT_BYTES),
                    f("ephemeralCiphertext", Kind.B64, MlKem.CIPHERTEXT_BYTES), f("mac", Kind.B64, 32))),
            Map.entry("established", List.of(f("deviceId", Kind.ID), f("sessionId", Kind.B64, 16))),
            Map.entry("enrolled", List.of(f("deviceId", Kind.ID), f("status", Kind.DEVICE_STATUS),
                    f("deviceIdHash", Kind.HASH), f("keyCommitment", Kind.HASH), f("txHash", Kind.NULLABLE_HASH))),
            Map.entry("rotation", List.of(f("deviceId", Kind.ID), f("status", Kind.ROTATION_STATUS),
                    f("keyCommitment", Kind.HASH), f("txHash", Kind.NULLABLE_HASH))),
            Map.entry("error", List.of(f("code", Kind.CODE), f("message", Kind.TEXT),
                    new Field("inReplyTo", Kind.STEP, 0, true), new Field("seq", Kind.SEQ0, 0, true))),
            Map.entry("gateway", List.of(f("gatewayId", Kind.ID), f("kemPublicKey", Kind.B64, MlKem.PUBLIC_KEY_BYTES),
                    f("kemKeyHash", Kind.HASH), f("gatewayAddress", Kind.ADDRESS))),
            Map.entry("ack", List.of(f("seq", Kind.INT))));

    private static final String[] STEPS = {"enroll", "hello", "finished", "telemetry", "rotate"};
    private static final String[] DEVICE_STATUSES = {"PENDING_CHAIN", "ACTIVE", "REVOKED", "REGISTRATION_FAILED"};
    private static final String[] ROTATION_STATUSES = {"PENDING_CHAIN", "ACTIVE"};

    private NearlyValidJson() {
    }

    private static Field f(String name, Kind kind) {
        return new Field(name, kind, 0, false);
    }

    private static Field f(String name, Kind kind, int bytes) {
        return new Field(name, kind, bytes, false);
    }

    /** One member as sent and as plainly written (null: the member is absent). */
    private record Member(String name, String sentValue, String plainValue, boolean escapedName) {
    }

    static Built build(String type, FuzzedDataProvider fuzz) {
        SplittableRandom filler = new SplittableRandom(fuzz.consumeInt());
        List<Member> members = new ArrayList<>();
        boolean mustRefuse = false;
        boolean mustAccept = true;
        StringBuilder why = new StringBuilder();
        boolean typeIntact = true;

        // type and v
        // Every choice's 0 (what an exhausted input gives) is the valid one: a one-byte seed is a valid message.
        switch (fuzz.consumeInt(0, 15)) {
            case 15 -> { typeIntact = false; mustRefuse = true; why.append("no type; "); }
            case 14 -> { members.add(plain("type", quote(STEPS[fuzz.consumeInt(0, STEPS.length - 1)] + "x"))); typeIntact = false;
                mustRefuse = true; why.append("wrong type; "); }
            case 13 -> members.add(new Member("type", quote(type, true), quote(type), false));
            default -> members.add(plain("type", quote(type)));
        }
        switch (fuzz.consumeInt(0, 15)) {
            case 15 -> { mustRefuse = true; why.append("no v; "); }
            case 14 -> { members.add(plain("v", "2")); mustRefuse = true; why.append("v 2; "); }
            case 13 -> { members.add(plain("v", "1.0")); mustRefuse = true; why.append("v 1.0; "); }
            case 12 -> { members.add(plain("v", "\"1\"")); mustRefuse = true; why.append("v string; "); }
            default -> members.add(plain("v", "1"));
        }
        if (!typeIntact || members.size() < 2) {
            mustAccept = false;
        }

        for (Field field : MESSAGES.get(type)) {
            int choice = fuzz.consumeInt(0, 15);
            String valid = validValue(field, fuzz, filler);
            switch (choice) {
                case 8 -> { // absent
                    if (!field.optional()) {
                        mustRefuse = true;
                        why.append(field.name()).append(" absent; ");
                    }
                }
                case 9 -> { // null
                    members.add(plain(field.name(), "null"));
                    if (!field.nullable()) {
                        mustRefuse = true;
                        why.append(field.name()).append(" null; ");
                    }
                }
                case 10 -> { // another JSON type
                    members.add(plain(field.name(), fuzz.consumeBoolean() ? "true" : "false"));
                    mustRefuse = true;
                    why.append(field.name()).append(" boolean; ");
                }
                case 11 -> { // a number, or for number fields an edge (number() also gives a few strings)
                    String n = number(fuzz);
                    members.add(plain(field.name(), n));
                    if (field.kind() != Kind.INT && field.kind() != Kind.SEQ0 && !n.startsWith("\"")) {
                        mustRefuse = true;
                        why.append(field.name()).append(" number; ");
                    }
                }
                case 12 -> { // nesting
                    members.add(plain(field.name(), nested(fuzz.consumeInt(1, 14), valid, fuzz.consumeBoolean())));
                    mustRefuse = true;
                    why.append(field.name()).append(" nested; ");
                }
                case 13 -> members.add(plain(field.name(), nearMiss(field, valid, fuzz, filler)));
                case 14 -> members.add(plain(field.name(), fuzzString(fuzz)));
                case 15 -> { // duplicate key
                    members.add(plain(field.name(), valid));
                    members.add(plain(field.name(), fuzz.consumeBoolean() ? valid : nearMiss(field, valid, fuzz, filler)));
                    mustRefuse = true;
                    why.append(field.name()).append(" duplicate; ");
                }
                case 7 -> members.add(new Member(field.name(), escapeAll(valid), valid, fuzz.consumeBoolean()));
                default -> members.add(plain(field.name(), valid));
            }
            if (choice >= 9) {
                mustAccept = false;
            }
        }

        if (fuzz.consumeInt(0, 15) == 15) { // an unknown field
            String name = fuzz.consumeBoolean() ? "extra" : "__proto__";
            members.add(fuzz.consumeInt(0, members.size()), plain(name, fuzz.consumeBoolean() ? "null" : "1"));
            mustRefuse = true;
            mustAccept = false;
            why.append("unknown field; ");
        }
        if (fuzz.consumeInt(0, 3) == 3) { // another order
            for (int i = members.size() - 1; i > 0; i--) {
                int j = fuzz.consumeInt(0, i);
                Member m = members.get(i);
                members.set(i, members.get(j));
                members.set(j, m);
            }
        }
        String space = switch (fuzz.consumeInt(0, 7)) {
            case 5 -> " ";
            case 6 -> "\n\t ";
            case 7 -> "\r\n";
            default -> "";
        };
        StringBuilder sent = new StringBuilder();
        StringBuilder plain = new StringBuilder();
        String prefix = "";
        switch (fuzz.consumeInt(0, 31)) {
            case 31 -> { prefix = "\ufeff"; mustRefuse = true; mustAccept = false; why.append("byte order mark; "); }
            case 30 -> { prefix = "["; mustRefuse = true; mustAccept = false; why.append("array; "); }
            default -> { }
        }
        sent.append(prefix).append('{').append(space);
        plain.append('{');
        boolean first = true;
        for (Member m : members) {
            if (!first) {
                sent.append(',').append(space);
                plain.append(',');
            }
            first = false;
            sent.append(m.escapedName() ? escapeAll(quote(m.name())) : quote(m.name())).append(space).append(':')
                    .append(space).append(m.sentValue());
            plain.append(quote(m.name())).append(':').append(m.plainValue());
        }
        sent.append(space).append('}');
        plain.append('}');
        if (prefix.equals("[")) {
            sent.append(']');
        }
        switch (fuzz.consumeInt(0, 31)) {
            case 31 -> { sent.append("{}"); mustRefuse = true; mustAccept = false; why.append("trailing object; "); }
            case 30 -> { sent.append(" x"); mustRefuse = true; mustAccept = false; why.append("trailing garbage; "); }
            case 29 -> sent.append(" \n"); // trailing whitespace is fine
            default -> { }
        }
        return new Built(sent.toString(), plain.toString(), mustRefuse, mustAccept && !mustRefuse, typeIntact,
                why.toString());
    }

    private static Member plain(String name, String value) {
        return new Member(name, value, value, false);
    }

    private static String validValue(Field field, FuzzedDataProvider fuzz, SplittableRandom filler) {
        return switch (field.kind()) {
            case ID -> quote(id(fuzz));
            case DEVICE_TYPE -> quote(pick(fuzz, "bp-monitor", "pulse-oximeter", "thermometer", "a", "x-1-2"));
            case SUITE -> quote(Labels.SUITE);
            case B64, KEY -> quote(b64(filler, field.bytes()));
            case CIPHERTEXT -> quote(b64(filler, field.bytes() + fuzz.consumeInt(0, 200)));
            case TIMESTAMP -> quote(timestamp(fuzz));
            case INT -> Long.toString(fuzz.consumeLong(1, Limits.MAX_MESSAGES_CAP));
            case SEQ0 -> Long.toString(fuzz.consumeLong(0, Limits.MAX_MESSAGES_CAP));
            case DEVICE_STATUS -> quote(pick(fuzz, DEVICE_STATUSES));
            case ROTATION_STATUS -> quote(pick(fuzz, ROTATION_STATUSES));
            case HASH, NULLABLE_HASH -> quote("0x" + hex(filler, 32));
            case ADDRESS -> fuzz.consumeBoolean() ? "null" : quote("0x" + hex(filler, 20));
            case CODE -> quote(ErrorCode.values()[fuzz.consumeInt(0, ErrorCode.values().length - 1)].wire());
            case STEP -> quote(pick(fuzz, STEPS));
            case TEXT -> quote(unicode(fuzz.consumeString(40)));
        };
    }

    /** A near miss of the field's format: sometimes still valid, so neither must-refuse nor must-accept. */
    private static String nearMiss(Field field, String valid, FuzzedDataProvider fuzz, SplittableRandom filler) {
        String inner = valid.length() >= 2 && valid.startsWith("\"") ? valid.substring(1, valid.length() - 1) : valid;
        return switch (field.kind()) {
            case ID -> quote(pick(fuzz, "AB", "ABC", "A".repeat(64), "A".repeat(65), "_ABC", "AB/C", "AB+C", "AB#",
                    "ABC\n", "ABC\u0000", "ABC\u00e9", "\uff21BC", "ABC ", " ABC", "A\u200bBC", "ABC\ud800"));
            case DEVICE_TYPE -> quote(pick(fuzz, "", "BP-MONITOR", "a".repeat(33), "a_b", "bp monitor", "bp-monitor\n"));
            case SUITE -> quote(pick(fuzz, "MLKEM768-MLDSA65-AES256GCM-SHA25", "mlkem768-mldsa65-aes256gcm-sha256",
                    Labels.SUITE + " ", "MLKEM1024-MLDSA87-AES256GCM-SHA384"));
            case B64, KEY, CIPHERTEXT -> quote(switch (fuzz.consumeInt(0, 9)) {
                case 0 -> inner.replace("=", "");
                case 1 -> inner + "=";
                case 2 -> inner.replace('+', '-').replace('/', '_');
                case 3 -> inner.length() > 4 ? inner.substring(0, 4) + "\\n" + inner.substring(4) : inner + "\\n";
                case 4 -> b64(filler, Math.max(0, field.bytes() + fuzz.consumeInt(-2, 2)));
                case 5 -> "";
                case 6 -> nonZeroPadBits(inner);
                case 7 -> inner + "AAAA";
                case 8 -> " " + inner;
                default -> inner.toLowerCase();
            });
            case TIMESTAMP -> quote(pick(fuzz, "2026-02-30T00:00:00Z", "2026-11-23T19:00:00z", "2026-11-23 19:00:00Z",
                    "2026-11-23T19:00:00.1234567890Z", "2026-11-23T23:59:60Z", "2026-11-23T19:00:00+00:00",
                    "+2026-11-23T19:00:00Z", "\u0662\u0660\u0662\u0666-11-23T19:00:00Z", "0000-01-01T00:00:00Z",
                    "9999-12-31T23:59:59.999999999Z", "2026-11-23T24:00:00Z", "2026-11-23T19:00:00.Z", "2026-11-23T19:00Z",
                    "2026-11-23T19:00:00Z\n"));
            case INT, SEQ0 -> number(fuzz);
            case DEVICE_STATUS, ROTATION_STATUS -> quote(pick(fuzz, "active", "ACTIVE ", "PENDING", "REVOKED",
                    "REGISTRATION_FAILED", ""));
            case HASH, NULLABLE_HASH, ADDRESS -> quote(switch (fuzz.consumeInt(0, 5)) {
                case 0 -> inner.toUpperCase();
                case 1 -> inner.startsWith("0x") ? inner.substring(2) : inner;
                case 2 -> inner + "0";
                case 3 -> inner.isEmpty() ? "" : inner.substring(0, inner.length() - 1);
                case 4 -> "0X" + (inner.length() > 2 ? inner.substring(2) : "");
                default -> "0x" + hex(filler, 32);
            });
            case CODE -> quote(pick(fuzz, "malformed_request", "MALFORMED", "REPLAY ", "OK", ""));
            case STEP -> pick(fuzz, "null", quote("telemetryx"), quote("server-hello"), quote(""));
            case TEXT -> quote(pick(fuzz, "", "\\u0000", "\\ud800", "\\udc00\\ud800", "\u2028", "x".repeat(5000)));
        };
    }

    private static String number(FuzzedDataProvider fuzz) {
        return switch (fuzz.consumeInt(0, 15)) {
            case 0 -> "0";
            case 1 -> "-1";
            case 2 -> "-0";
            case 3 -> "9007199254740991";
            case 4 -> "9007199254740992";
            case 5 -> "9223372036854775808";
            case 6 -> "1" + "0".repeat(fuzz.consumeInt(20, 80));
            case 7 -> "1.0";
            case 8 -> "1e0";
            case 9 -> "1E2";
            case 10 -> "1e999999999";
            case 11 -> "01";
            case 12 -> "0x10";
            case 13 -> "NaN";
            case 14 -> "\"7\"";
            default -> Long.toString(fuzz.consumeLong());
        };
    }

    private static String nested(int depth, String inner, boolean arrays) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < depth; i++) {
            s.append(arrays ? "[" : "{\"a\":");
        }
        s.append(inner);
        for (int i = 0; i < depth; i++) {
            s.append(arrays ? "]" : "}");
        }
        return s.toString();
    }

    /** The fuzzer's own characters, properly escaped or (sometimes) raw. */
    private static String fuzzString(FuzzedDataProvider fuzz) {
        boolean raw = fuzz.consumeInt(0, 7) == 0;
        String s = fuzz.consumeString(fuzz.consumeInt(0, 100));
        return raw ? "\"" + s + "\"" : quote(s);
    }

    /** Unpaired surrogates replaced ('?'), as a UTF-8 sender would: the valid form of any string. */
    private static String unicode(String s) {
        return new String(s.getBytes(java.nio.charset.StandardCharsets.UTF_8), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static String id(FuzzedDataProvider fuzz) {
        String head = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        String tail = head + "_.-";
        int length = fuzz.consumeInt(3, 64);
        StringBuilder s = new StringBuilder(length);
        s.append(head.charAt(fuzz.consumeInt(0, head.length() - 1)));
        for (int i = 1; i < length; i++) {
            s.append(tail.charAt(fuzz.consumeInt(0, tail.length() - 1)));
        }
        return s.toString();
    }

    private static String timestamp(FuzzedDataProvider fuzz) {
        long seconds = fuzz.consumeLong(-62_135_596_800L, 253_402_300_799L); // 0001-01-01 .. 9999-12-31
        java.time.Instant t = java.time.Instant.ofEpochSecond(seconds);
        String base = java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss")
                .withZone(java.time.ZoneOffset.UTC).format(t);
        int digits = fuzz.consumeInt(0, 9);
        if (digits == 0) {
            return base + "Z";
        }
        StringBuilder fraction = new StringBuilder(".");
        for (int i = 0; i < digits; i++) {
            fraction.append((char) ('0' + fuzz.consumeInt(0, 9)));
        }
        return base + fraction + "Z";
    }

    private static String b64(SplittableRandom filler, int bytes) {
        byte[] b = new byte[bytes];
        filler.nextBytes(b);
        return Base64.getEncoder().encodeToString(b);
    }

    private static String hex(SplittableRandom filler, int bytes) {
        byte[] b = new byte[bytes];
        filler.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** The same value with the last data character's unused bits set, where there are any. */
    private static String nonZeroPadBits(String b64) {
        int pad = b64.endsWith("==") ? 2 : b64.endsWith("=") ? 1 : 0;
        if (pad == 0 || b64.length() < 4) {
            return b64 + "=";
        }
        int at = b64.length() - pad - 1;
        char c = b64.charAt(at);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        int v = alphabet.indexOf(c) | 1;
        return b64.substring(0, at) + alphabet.charAt(v) + b64.substring(at + 1);
    }

    @SafeVarargs
    private static <T> T pick(FuzzedDataProvider fuzz, T... options) {
        return options[fuzz.consumeInt(0, options.length - 1)];
    }

    static String quote(String s) {
        return quote(s, false);
    }

    /** A JSON string literal; {@code escapeAll}: every character as a \\u escape. */
    static String quote(String s, boolean escapeAll) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (escapeAll || c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    /** A JSON string literal (already quoted) with every character of its content written as a \\u escape. */
    private static String escapeAll(String literal) {
        if (literal.length() < 2 || !literal.startsWith("\"") || literal.contains("\\")) {
            return literal; // a number, null, or already escaped: as it is
        }
        return quote(literal.substring(1, literal.length() - 1), true);
    }
}
