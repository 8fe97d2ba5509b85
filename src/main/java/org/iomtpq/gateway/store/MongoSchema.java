package org.iomtpq.gateway.store;

import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;

/**
 * Creates the indexes the gateway's guarantees rest on. Idempotent; run at every start.
 * An observation's {@code _id} ({@code sessionId|seq}) is what makes "no observation stored twice" true across
 * instances, and the unique {@code (stream, seq)} index keeps an audit stream gap- and fork-free.
 */
public final class MongoSchema {

    private MongoSchema() {
    }

    public static void ensureIndexes(MongoDatabase db) {
        db.getCollection(Collections.DEVICE_KEYS).createIndex(Indexes.ascending("status"));
        // Chain events name devices by deviceIdHash (keccak256 of the id, so unique): an index the embedded server
        // can use, or every event would read all devices.
        db.getCollection(Collections.DEVICE_KEYS).createIndex(Indexes.ascending("deviceIdHash"),
                new IndexOptions().unique(true).name("device_id_hash_unique"));
        db.getCollection(Collections.SESSIONS).createIndex(Indexes.ascending("deviceId"));
        // The handshake's compare-and-set filter, exactly (see SessionRepository): the embedded server uses an index
        // only for a filter of exactly its fields, and would scan every stored session otherwise.
        db.getCollection(Collections.SESSIONS).createIndex(Indexes.ascending("_id", "revision"),
                new IndexOptions().unique(true).name("id_revision"));
        // observations: "no (sessionId, seq) stored twice" is the uniqueness of _id (ObservationRepository); a database
        // of an older version keeps its unique (sessionId, seq) index, which still guards its older documents
        db.getCollection(Collections.OBSERVATIONS).createIndex(Indexes.ascending("deviceId", "receivedAt"));
        db.getCollection(Collections.AUDIT_LOGS).createIndex(
                Indexes.ascending("stream", "seq"), new IndexOptions().unique(true).name("stream_seq_unique"));
        db.getCollection(Collections.AUDIT_LOGS).createIndex(Indexes.ascending("deviceId", "timestamp"));
        db.getCollection(Collections.AUDIT_LOGS).createIndex(Indexes.ascending("gatewayId", "timestamp"));
        db.getCollection(Collections.AUDIT_LOGS).createIndex(Indexes.ascending("timestamp"));
        db.getCollection(Collections.DEAD_LETTERS).createIndex(Indexes.ascending("receivedAt"));
    }
}
