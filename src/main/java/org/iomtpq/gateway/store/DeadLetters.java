package org.iomtpq.gateway.store;

import java.util.Arrays;
import java.util.Date;
import java.time.Instant;
import java.util.HexFormat;

import org.bson.Document;
import org.bson.types.Binary;
import org.iomtpq.gateway.crypto.Hashes;

/**
 * Shape of a {@code dead_letters} document: the original bytes of a message the gateway could not process, with
 * where it came from and why. The route writes it through camel-mongodb; bodies are capped so a flood of huge
 * payloads cannot fill the database (the hash and size of the whole body are always kept).
 */
public final class DeadLetters {

    public static final int MAX_STORED_BYTES = 64 * 1024;

    private DeadLetters() {
    }

    public static Document of(String transport, String source, String step, String code, String reason, byte[] payload,
                              Instant receivedAt) {
        byte[] body = payload == null ? new byte[0] : payload;
        byte[] stored = body.length > MAX_STORED_BYTES ? Arrays.copyOf(body, MAX_STORED_BYTES) : body;
        // the id is chosen here, not by the driver, so that retention can note it before the route inserts it
        return new Document("_id", new org.bson.types.ObjectId())
                .append("receivedAt", Date.from(receivedAt))
                .append("transport", transport)
                .append("source", source)
                .append("step", step)
                .append("code", code)
                .append("reason", reason)
                .append("size", body.length)
                .append("sha256", "0x" + HexFormat.of().formatHex(Hashes.sha256(body)))
                .append("truncated", stored.length < body.length)
                .append("payload", new Binary(stored));
    }
}
