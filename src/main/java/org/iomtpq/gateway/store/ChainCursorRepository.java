package org.iomtpq.gateway.store;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.lt;
import static com.mongodb.client.model.Filters.or;

import java.util.OptionalLong;

import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import org.bson.Document;

/**
 * {@code chain_cursor}: the last block whose registry events this gateway handled, per registry address, so the log
 * consumer resumes there after a restart (events are handled idempotently, so re-reading that block is harmless).
 */
public final class ChainCursorRepository {

    private final MongoCollection<Document> cursors;
    private final String registryAddress;

    public ChainCursorRepository(MongoDatabase db, String registryAddress) {
        this.cursors = db.getCollection(Collections.CHAIN_CURSOR);
        this.registryAddress = registryAddress;
    }

    public OptionalLong lastBlock() {
        Document d = cursors.find(eq("_id", registryAddress)).first();
        return d == null ? OptionalLong.empty() : OptionalLong.of(((Number) d.get("block")).longValue());
    }

    /** Only ever forward. */
    public void advanceTo(long block) {
        try {
            cursors.updateOne(and(eq("_id", registryAddress), or(eq("block", null), lt("block", block))),
                    Updates.set("block", block), new UpdateOptions().upsert(true));
        } catch (MongoWriteException e) {
            if (e.getError().getCode() != 11000) {
                throw e; // 11000: the cursor is already further on
            }
        }
    }
}
