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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.h2.mvstore.MVStore;

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
            backend = CommitOnWriteH2Backend.open(file.toString());
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
     * What a {@code kill -9} leaves is the H2 file as it is at that instant, so every instant must hold only whole
     * write commands, each one that was answered included:
     * <ul>
     * <li>every write command is committed before it is answered (H2Backend on its own writes to its file about
     *     once a second, so a crash could lose writes the driver already saw acknowledged);</li>
     * <li>no commit may fall inside a write command: MVStore's background auto-commit is off, and write commands
     *     run one at a time with their commit, so another connection's commit cannot take half of one along. A
     *     command cut in two left a document without its {@code _id} index entry, and every later insert of that
     *     key failed with "Unknown error" instead of a duplicate (EmbeddedMongoCrashSnapshotTest);</li>
     * <li>the background thread's other job, rewriting sparse chunks so the file does not only grow, is done here
     *     between commands, at most once per {@link #MAINTENANCE_EVERY_NANOS}.</li>
     * </ul>
     */
    private static final class CommitOnWriteH2Backend extends H2Backend {

        private static final Set<String> WRITE_COMMANDS = Set.of("insert", "update", "delete",
                "findandmodify", "createindexes", "dropindexes", "drop", "dropdatabase", "create",
                "renamecollection");
        private static final long MAINTENANCE_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);
        /**
         * Chunks less than half live are rewritten, up to 1 MB a second. H2's background default (90 %, several MB)
         * halved the rate of small updates here (EmbeddedMongoFileSizeTest); this keeps the file bounded at a few
         * tens of MB under a thousand commits a second.
         */
        private static final int TARGET_FILL_RATE = 50;
        private static final int MAINTENANCE_WRITE_BYTES = 1 << 20;

        /**
         * How long a chunk no longer used is kept before its space is reused. H2's 45 s default guards against a disk
         * reordering writes at a power loss, which nothing here claims to survive (no fsync per commit); with a
         * commit per write command it kept 45 s of chunks — hundreds of MB at a thousand commits a second, and
         * H2's bookkeeping of them grew with it (the suspected cause of the soak's creeping CPU per message).
         */
        private static final int RETENTION_MILLIS = 1_000;

        private final MVStore store;
        private final ReentrantLock writes = new ReentrantLock();
        private long lastMaintenance = System.nanoTime();

        private CommitOnWriteH2Backend(MVStore store) {
            super(store);
            this.store = store;
        }

        static CommitOnWriteH2Backend open(String fileName) {
            MVStore store = new MVStore.Builder().fileName(fileName).autoCommitDisabled().open();
            store.setRetentionTime(RETENTION_MILLIS);
            return new CommitOnWriteH2Backend(store);
        }

        @Override
        public Document handleCommand(Channel channel, String databaseName, String command, Document query) {
            if (!WRITE_COMMANDS.contains(command.toLowerCase(Locale.ROOT))) {
                return super.handleCommand(channel, databaseName, command, query);
            }
            writes.lock();
            try {
                return super.handleCommand(channel, databaseName, command, query);
            } finally {
                // also after a failed command: whatever it changed in memory is what later commands build on
                commit();
                maintainIfDue();
                writes.unlock();
            }
        }

        private void maintainIfDue() {
            long now = System.nanoTime();
            if (now - lastMaintenance < MAINTENANCE_EVERY_NANOS) {
                return;
            }
            lastMaintenance = now;
            if (store.compact(TARGET_FILL_RATE, MAINTENANCE_WRITE_BYTES)) {
                commit();
            }
        }
    }
}
