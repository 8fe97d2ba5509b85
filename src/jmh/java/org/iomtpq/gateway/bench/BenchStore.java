package org.iomtpq.gateway.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import org.iomtpq.gateway.config.EphemeralGateway;
import org.iomtpq.gateway.embedded.EmbeddedMongo;
import org.iomtpq.gateway.embedded.StoreFormat;

/** The embedded MongoDB (H2 file backend, in the format measured) in a temporary directory, for one trial. */
final class BenchStore implements AutoCloseable {

    private final Path dataDir;
    private final EmbeddedMongo mongo;
    private final MongoClient client;

    private BenchStore(Path dataDir, EmbeddedMongo mongo) {
        this.dataDir = dataDir;
        this.mongo = mongo;
        this.client = MongoClients.create(mongo.connectionString());
    }

    static BenchStore open(String prefix, StoreFormat format) throws IOException {
        Path dir = Files.createTempDirectory(prefix);
        return new BenchStore(dir, EmbeddedMongo.start(dir, "127.0.0.1", 0, format));
    }

    MongoDatabase db() {
        return client.getDatabase("iomt");
    }

    @Override
    public void close() throws IOException {
        client.close();
        mongo.close();
        EphemeralGateway.deleteTree(dataDir);
    }
}
