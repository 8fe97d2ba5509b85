package org.iomtpq.gateway.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;

/**
 * The embedded MongoDB default: mongo-java-server speaking the MongoDB wire protocol, so the gateway uses the real
 * driver against it exactly as against a replica set. Its H2 MVStore file lives under {@code dataDir/mongo}.
 * Durability note: MVStore writes its file in the background (about once a second); production uses a replica
 * set with write concern majority.
 */
public final class EmbeddedMongo implements AutoCloseable {

    private final MongoServer server;
    private final MongoBackend backend;
    private final String connectionString;

    private EmbeddedMongo(MongoBackend backend, String bindHost, int port) {
        this.backend = backend;
        this.server = new MongoServer(backend);
        try {
            server.bind(bindHost, port);
        } catch (RuntimeException e) {
            backend.close();
            throw new EmbeddedStartException("embedded MongoDB cannot listen on " + bindHost + ":" + port + ": " + e.getMessage(), e);
        }
        this.connectionString = "mongodb://" + bindHost + ":" + server.getLocalAddress().getPort();
    }

    /** File-backed; {@code port} 0 picks a free one. */
    public static EmbeddedMongo start(Path dataDir, String bindHost, int port) {
        Path dir = dataDir.resolve("mongo");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new EmbeddedStartException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        return new EmbeddedMongo(new H2Backend(dir.resolve("iomt.mv.db").toString()), bindHost, port);
    }

    /** In memory, for fast tests. */
    public static EmbeddedMongo startInMemory() {
        return new EmbeddedMongo(new MemoryBackend(), "127.0.0.1", 0);
    }

    public String connectionString() {
        return connectionString;
    }

    @Override
    public void close() {
        server.shutdownNow();
        backend.close();
    }
}
