package org.iomtpq.gateway.embedded;

import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.h2.mvstore.MVStore;

/**
 * What a {@code kill -9} leaves is the H2 file as it is at that instant, so every instant must hold only whole write
 * commands, each one that was answered included:
 * <ul>
 * <li>every write command is committed before it is answered (H2Backend on its own writes to its file about once a
 *     second, so a crash could lose writes the driver already saw acknowledged), and so is every write a read command
 *     could have seen before the read is answered (nothing a client learns can be lost in a crash);</li>
 * <li>no commit may fall inside a write command: MVStore's background auto-commit is off ({@link #openStore}), and
 *     write commands run one at a time with their commit, so another connection's commit cannot take half of one
 *     along. A command cut in two left a document without its {@code _id} index entry, and every later insert of that
 *     key failed with "Unknown error" instead of a duplicate (EmbeddedMongoCrashSnapshotTest);</li>
 * <li>group commit: a commit takes along every write command applied before it, so commands that queued while one
 *     was applied share one commit instead of one each. A commit is the largest part of a small write's cost (page
 *     rewrites, the chunk's metadata; 41 % of the CPU of a handshake in a profile), and the handshake's commands come
 *     from many devices at once;</li>
 * <li>the background thread's other job, rewriting sparse chunks so the file does not only grow, is done here
 *     between commands, at most once per {@link #MAINTENANCE_EVERY_NANOS}.</li>
 * </ul>
 * This class, as it is, serves a store of the {@link StoreFormat#LEGACY} format; {@link BsonH2Backend} adds the BSON
 * format's databases.
 */
class CommitOnWriteH2Backend extends H2Backend {

    private static final Set<String> WRITE_COMMANDS = Set.of("insert", "update", "delete",
            "findandmodify", "createindexes", "dropindexes", "drop", "dropdatabase", "create",
            "renamecollection");
    private static final long MAINTENANCE_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);
    /**
     * Chunks less than half live are rewritten, up to 1 MB a second. H2's background default (90 %, several MB) halved
     * the rate of small updates here (EmbeddedMongoFileSizeTest); this keeps the file bounded at a few tens of MB under
     * a thousand commits a second.
     */
    private static final int TARGET_FILL_RATE = 50;
    private static final int MAINTENANCE_WRITE_BYTES = 1 << 20;
    /**
     * How long a chunk no longer used is kept before its space is reused. H2's 45 s default guards against a disk
     * reordering writes at a power loss, which nothing here claims to survive (no fsync per commit); with a commit per
     * write command it kept 45 s of chunks: 216 MB after 8 s of small updates, still growing, and H2's bookkeeping of
     * them grew with it (the suspected cause of the soak's creeping CPU per message).
     */
    private static final int RETENTION_MILLIS = 1_000;

    /** Fair: write commands already waiting get in before a commit that is waiting too, and share it. */
    private final ReentrantLock writes = new ReentrantLock(true);
    /** One committer at a time; the others find their writes committed when they get it. */
    private final Object committing = new Object();
    /** Write commands applied (written under {@link #writes}) and committed so far. */
    private volatile long applied;
    private volatile long committed;
    private volatile long commits;
    private long lastMaintenance = System.nanoTime();

    CommitOnWriteH2Backend(MVStore mvStore) {
        super(mvStore);
    }

    /** The store file as this class needs it: no background auto-commit, a short chunk retention. */
    static MVStore openStore(String fileName) {
        MVStore store = new MVStore.Builder().fileName(fileName).autoCommitDisabled().open();
        store.setRetentionTime(RETENTION_MILLIS);
        return store;
    }

    @Override
    public Document handleCommand(Channel channel, String databaseName, String command, Document query) {
        if (!WRITE_COMMANDS.contains(command.toLowerCase(Locale.ROOT))) {
            Document answer = super.handleCommand(channel, databaseName, command, query);
            awaitCommitted(applied); // the read may have seen writes applied but not yet committed
            return answer;
        }
        long ticket;
        writes.lock();
        try {
            return super.handleCommand(channel, databaseName, command, query);
        } finally {
            // also after a failed command: whatever it changed in memory is what later commands build on
            ticket = ++applied;
            writes.unlock();
            awaitCommitted(ticket);
        }
    }

    /** Returns once write command number {@code ticket} is committed, committing it (and all applied) if need be. */
    private void awaitCommitted(long ticket) {
        if (committed >= ticket) {
            return;
        }
        synchronized (committing) {
            if (committed >= ticket) {
                return;
            }
            writes.lock(); // between commands, never inside one
            try {
                long upTo = applied;
                commit();
                maintainIfDue();
                committed = upTo;
                commits++;
            } finally {
                writes.unlock();
            }
        }
    }

    /** Write commands applied so far, and the commits that took them (fewer when commands shared one). */
    long writeCommands() {
        return applied;
    }

    long commits() {
        return commits;
    }

    private void maintainIfDue() {
        long now = System.nanoTime();
        if (now - lastMaintenance < MAINTENANCE_EVERY_NANOS) {
            return;
        }
        lastMaintenance = now;
        if (getMvStore().compact(TARGET_FILL_RATE, MAINTENANCE_WRITE_BYTES)) {
            commit();
        }
    }
}
