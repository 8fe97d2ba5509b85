package org.iomtpq.gateway.tools;

import java.util.List;
import org.iomtpq.gateway.audit.AuditEntry;

/** Where {@code verify-audit} reads audit streams from: MongoDB directly, or a gateway's operator API. */
interface AuditSource extends AutoCloseable {

    /** For the header line, e.g. "MongoDB mongodb://db1/ (database iomt)"; never includes a token. */
    String describe();

    /** The streams to verify: {@code only} when given, else every stream the source knows, sorted. */
    List<String> streams(String only);

    /** Every entry of {@code stream} in ascending seq, as stored, up to the first one that cannot be read. */
    Loaded read(String stream);

    @Override
    void close();

    /**
     * The entries read, and where reading had to stop: {@code unreadableSeq} (0 when everything was read) is the seq
     * of a stored entry that is not even a well-formed audit entry (a missing field, an unknown status...), which is
     * itself tampering.
     */
    record Loaded(List<AuditEntry> entries, long unreadableSeq, String unreadableWhy) {
        static Loaded complete(List<AuditEntry> entries) {
            return new Loaded(entries, 0, null);
        }
    }

    /** The source could not be reached or refused us: a usage or connection problem, not tampering (exit 2). */
    final class SourceException extends RuntimeException {
        SourceException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
