package org.iomtpq.gateway.tools;

import java.util.HashMap;
import java.util.Map;
import org.iomtpq.gateway.audit.AuditEntry;
import org.iomtpq.gateway.audit.AuditStatus;

/**
 * Turns one stored or served audit entry (a BSON document or a JSON object, both seen as a map) into an
 * {@link AuditEntry}, strictly: a field of the wrong type is an error, never coerced, because a verifier that
 * "repairs" what it reads could hide tampering. Repeated strings (stream, event types, ids) are shared, so a
 * million entries in memory cost their hashes and messages, not a million copies of the same names.
 */
final class StoredEntryReader {

    private static final int MAX_SHARED = 100_000;

    private final Map<String, String> shared = new HashMap<>();

    /** Thrown for an entry that is not a well-formed audit entry; {@link #seq} is its seq, or 0 if unreadable too. */
    static final class MalformedEntry extends Exception {
        final long seq;

        MalformedEntry(long seq, String message) {
            super(message, null, false, false);
            this.seq = seq;
        }
    }

    AuditEntry read(Map<String, Object> fields) throws MalformedEntry {
        long seq = fields.get("seq") instanceof Number n && n.doubleValue() == n.longValue() ? n.longValue() : 0;
        if (seq < 1) {
            throw new MalformedEntry(0, "an entry without a valid seq");
        }
        String status = text(fields, "status", seq, false);
        AuditStatus parsed;
        try {
            parsed = AuditStatus.valueOf(status);
        } catch (IllegalArgumentException e) {
            throw new MalformedEntry(seq, "unknown status '" + status + "'");
        }
        return new AuditEntry(share(text(fields, "stream", seq, false)), seq, text(fields, "prevHash", seq, false),
                text(fields, "hash", seq, false), share(text(fields, "eventType", seq, false)),
                share(text(fields, "deviceId", seq, true)), share(text(fields, "gatewayId", seq, false)),
                text(fields, "timestamp", seq, false), parsed, text(fields, "message", seq, false));
    }

    private static String text(Map<String, Object> fields, String name, long seq, boolean nullable)
            throws MalformedEntry {
        Object v = fields.get(name);
        if (v instanceof String s) {
            return s;
        }
        if (v == null && nullable) {
            return null;
        }
        throw new MalformedEntry(seq, v == null ? "field " + name + " is missing" : "field " + name + " is not a string");
    }

    private String share(String s) {
        if (s == null) {
            return null;
        }
        String known = shared.get(s);
        if (known != null) {
            return known;
        }
        if (shared.size() < MAX_SHARED) {
            shared.put(s, s);
        }
        return s;
    }
}
