package org.iomtpq.gateway.testsupport;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import org.iomtpq.gateway.embedded.EmbeddedMongo;
import org.iomtpq.gateway.store.MongoSchema;

/** An in-memory embedded MongoDB with the gateway's indexes, and a driver client to it: for repository tests. */
public final class InMemoryMongo implements AutoCloseable {

    private final EmbeddedMongo server = EmbeddedMongo.startInMemory();
    private final MongoClient client = MongoClients.create(server.connectionString());
    private final MongoDatabase db = client.getDatabase("iomt");

    public InMemoryMongo() {
        MongoSchema.ensureIndexes(db);
    }

    public MongoDatabase db() {
        return db;
    }

    /** The driver side only, so that the store seems to fail. */
    public void closeClient() {
        client.close();
    }

    @Override
    public void close() {
        client.close();
        server.close();
    }
}
