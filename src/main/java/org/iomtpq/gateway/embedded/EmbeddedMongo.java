package org.iomtpq.gateway.embedded;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * MongoDB wire protocol in-process (mongo-java-server), so the gateway talks to it with the real driver
 * exactly as to a production MongoDB. The file variant keeps data in one H2 MVStore file.
 */
public final class EmbeddedMongo implements AutoCloseable {

    private final MongoServer server;
    private final MongoBackend backend;
    private final int port;
    private boolean closed;

    private EmbeddedMongo(MongoServer server, MongoBackend backend, int port) {
        this.server = server;
        this.backend = backend;
        this.port = port;
    }

    /** Serves the H2 file {@code dataDir/mongo/iomt.mv.db}; {@code port} 0 picks a free port. */
    public static EmbeddedMongo start(Path dataDir, String bindHost, int port) {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(bindHost, "bindHost");
        Path file = dataDir.resolve("mongo").resolve("iomt.mv.db");
        H2Backend backend;
        try {
            Files.createDirectories(file.getParent());
            backend = new CommitOnWriteH2Backend(file.toString());
        } catch (IOException | RuntimeException e) {
            // typically the file is locked by another running gateway using the same data directory
            throw new EmbeddedStartException("cannot open the embedded MongoDB store " + file, e);
        }
        return bind(backend, bindHost, port);
    }

    /** Nothing on disk: for tests that need speed and isolation only. */
    public static EmbeddedMongo startInMemory() {
        return bind(new MemoryBackend(), "127.0.0.1", 0);
    }

    private static EmbeddedMongo bind(MongoBackend backend, String bindHost, int port) {
        MongoServer server = new MongoServer(backend);
        try {
            server.bind(bindHost, port);
        } catch (RuntimeException e) {
            server.shutdownNow();
            throw new EmbeddedStartException("cannot bind the embedded MongoDB to " + bindHost + ":" + port, e);
        }
        InetSocketAddress address = server.getLocalAddress();
        return new EmbeddedMongo(server, backend, address.getPort());
    }

    public int port() {
        return port;
    }

    /** e.g. {@code mongodb://127.0.0.1:27017}; clients always come through loopback. */
    public String connectionString() {
        return "mongodb://127.0.0.1:" + port;
    }

    /** Stops listening and closes the store; for the H2 file this writes out everything still pending. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        // shutdownNow also closes the backend (H2: commit and close the MVStore file)
        server.shutdownNow();
    }

    @Override
    public String toString() {
        return "EmbeddedMongo[" + connectionString() + "]";
    }

    /**
     * H2Backend only writes to its file on MVStore's background auto-commit (about once a second), so
     * a crash could lose writes the driver already saw acknowledged. The gateway answers "stored" only
     * after an acknowledged write, hence: commit the store before answering any write command.
     */
    private static final class CommitOnWriteH2Backend extends H2Backend {

        private static final Set<String> WRITE_COMMANDS = Set.of("insert", "update", "delete",
                "findandmodify", "createindexes", "dropindexes", "drop", "dropdatabase", "create",
                "renamecollection");

        CommitOnWriteH2Backend(String fileName) {
            super(fileName);
        }

        @Override
        public Document handleCommand(Channel channel, String databaseName, String command, Document query) {
            Document answer = super.handleCommand(channel, databaseName, command, query);
            if (WRITE_COMMANDS.contains(command.toLowerCase(Locale.ROOT))) {
                commit();
            }
            return answer;
        }
    }
}
