package org.iomtpq.gateway.store;

/** Collection names: one place, so routes ({@code mongodb:} endpoints) and repositories agree. */
public final class Collections {
    public static final String DEVICE_KEYS = "device_keys";
    public static final String SESSIONS = "sessions";
    public static final String OBSERVATIONS = "observations";
    public static final String AUDIT_LOGS = "audit_logs";
    public static final String DEAD_LETTERS = "dead_letters";
    public static final String APPROVALS = "approvals";
    public static final String STREAM_LEASES = "stream_leases";
    public static final String OUTBOX = "outbox";
    /** One small marker per outbox entry still to do (see OutboxRepository). */
    public static final String OUTBOX_OPEN = "outbox_open";
    public static final String CHAIN_CURSOR = "chain_cursor";
    /** Per device, its sessions not yet expired (see DeviceSessionIndex). */
    public static final String DEVICE_SESSIONS = "device_sessions";
    /** Per session, the lowest and highest stored seq (see StoredSeqs). */
    public static final String SESSION_SEQS = "session_seqs";
    /** What falls due for purging when (see RetentionLedger). */
    public static final String RETENTION_LEDGER = "retention_ledger";
    /** One document: the devices whose sessions or status changed lately, for the other instances' caches. */
    public static final String DEVICE_CHANGES = "device_changes";
    /** per instance: how far it has applied {@link #DEVICE_CHANGES}, and when it last said so */
    public static final String DEVICE_CHANGE_READERS = "device_change_readers";

    /** Observation write batches still to be delivered to the FHIR server, and their writers (see FhirFeed). */
    public static final String FHIR_FEED = "fhir_feed";
    public static final String FHIR_FEED_WRITERS = "fhir_feed_writers";

    private Collections() {
    }
}
