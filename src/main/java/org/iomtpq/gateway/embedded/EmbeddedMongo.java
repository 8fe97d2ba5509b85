package org.iomtpq.gateway.embedded;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MongoDB wire protocol in-process (mongo-java-server), so the gateway talks to it with the real driver
 * exactly as to a production MongoDB. The file variant keeps data in one H2 MVStore file, in the {@link StoreFormat}
 * it was created in; it commits after every write command, so an acknowledged write survives a crash of the process.
 */
public final class EmbeddedMongo implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedMongo.class);

    private final MongoServer server;
    private final MongoBackend backend;
    private final int port;
    private final StoreFormat format;
    private boolean closed;

    private EmbeddedMongo(MongoServer server, MongoBackend backend, int port, StoreFormat format) {
        this.server = server;
        this.backend = backend;
        this.port = port;
        this.format = format;
    }

    /** Serves the H2 file {@code dataDir/mongo/iomt.mv.db}; {@code port} 0 picks a free port. A new store is BSON. */
    public static EmbeddedMongo start(Path dataDir, String bindHost, int port) {
        return start(dataDir, bindHost, port, StoreFormat.BSON);
    }

    /**
     * As {@link #start(Path, String, int)}, creating a new store in {@code newStoreFormat}; an existing store is always
     * opened in the format it holds. {@link StoreFormat#LEGACY} for a new store exists to measure the difference.
     */
    public static EmbeddedMongo start(Path dataDir, String bindHost, int port, StoreFormat newStoreFormat) {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(bindHost, "bindHost");
        Objects.requireNonNull(newStoreFormat, "newStoreFormat");
        Path file = dataDir.resolve("mongo").resolve("iomt.mv.db");
        MVStore mvStore = null;
        H2Backend backend;
        StoreFormat format;
        try {
            Files.createDirectories(file.getParent());
            LOG.info("opening the embedded MongoDB store {}", file);
            mvStore = CommitOnWriteH2Backend.openStore(file.toString());
            format = formatOf(mvStore.getMapNames(), newStoreFormat, file);
            backend = format == StoreFormat.BSON ? new BsonH2Backend(mvStore) : new CommitOnWriteH2Backend(mvStore);
        } catch (IOException | RuntimeException e) {
            if (mvStore != null) {
                mvStore.closeImmediately(); // releases the file lock; nothing was written
            }
            // typically the file is locked by another running gateway using the same data directory
            throw new EmbeddedStartException("cannot open the embedded MongoDB store " + file, e);
        }
        return bind(backend, bindHost, port, format);
    }

    /** A store keeps the format it was created in; only an empty (new) file takes {@code newStoreFormat}. */
    private static StoreFormat formatOf(Set<String> mapNames, StoreFormat newStoreFormat, Path file) {
        boolean legacy = BsonMapNames.anyLegacy(mapNames);
        if (BsonMapNames.anyOfThisFormat(mapNames)) {
            if (legacy) {
                LOG.warn("the embedded MongoDB store {} also holds collections of the older format (written by an older"
                        + " version after this one had used the file); they are not read", file);
            }
            return StoreFormat.BSON;
        }
        if (legacy) {
            LOG.info("the embedded MongoDB store {} is in the older, slower format (documents and index keys"
                    + " Java-serialized: several times the CPU per stored document); it is used as it is. To move to the"
                    + " current format, stop the gateway and move {} aside: the next start creates a new, empty store"
                    + " (there is no in-place conversion; the moved store keeps the old data)", file, file.getParent());
            return StoreFormat.LEGACY;
        }
        return newStoreFormat;
    }

    /** Nothing on disk: for tests that need speed and isolation only. */
    public static EmbeddedMongo startInMemory() {
        return bind(new MemoryBackend(), "127.0.0.1", 0, null);
    }

    private static EmbeddedMongo bind(MongoBackend backend, String bindHost, int port, StoreFormat format) {
        MongoServer server = new MongoServer(backend);
        try {
            server.bind(bindHost, port);
        } catch (RuntimeException e) {
            server.shutdownNow();
            throw new EmbeddedStartException("cannot bind the embedded MongoDB to " + bindHost + ":" + port, e);
        }
        InetSocketAddress address = server.getLocalAddress();
        return new EmbeddedMongo(server, backend, address.getPort(), format);
    }

    /** For this package's tests: the server's backend. */
    MongoBackend backend() {
        return backend;
    }

    /** The H2 file's format; empty for the in-memory variant. */
    public Optional<StoreFormat> storeFormat() {
        return Optional.ofNullable(format);
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
}
