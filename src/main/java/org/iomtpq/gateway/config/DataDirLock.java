package org.iomtpq.gateway.config;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * An OS file lock on {@code <data dir>/gateway.lock}, held for the life of the process. The operating system drops
 * it when the process dies, however it dies ({@code kill -9} included), so holding it proves that no other live
 * process on this machine uses this data directory — and that whatever an earlier holder left behind (an audit stream
 * lease, the embedded store's files) belongs to a dead process. The file names the holder's pid for messages.
 */
public final class DataDirLock implements AutoCloseable {

    public static final String FILE = "gateway.lock";
    private static final Duration RETRY = Duration.ofMillis(250);

    private final FileChannel channel;
    private final FileLock lock;
    private final String id;

    private DataDirLock(FileChannel channel, FileLock lock, String id) {
        this.channel = channel;
        this.lock = lock;
        this.id = id;
    }

    /**
     * Takes the lock, waiting up to {@code patience} while another live process holds it ({@code waiting} is told once,
     * with that process's pid); then a {@link StartupException} naming {@code dirSetting}, the variable to change.
     */
    public static DataDirLock acquire(Path dataDir, String dirSetting, Duration patience, Clock clock, Consumer<String> waiting) {
        Path file = dataDir.toAbsolutePath().normalize().resolve(FILE);
        FileChannel channel = open(file);
        Instant giveUpAt = clock.instant().plus(patience);
        boolean told = false;
        try {
            while (true) {
                Optional<FileLock> lock = tryLock(channel);
                if (lock.isPresent()) {
                    writePid(channel);
                    return new DataDirLock(channel, lock.get(), host() + ":" + file);
                }
                String holder = "pid " + readPid(file).orElse("unknown");
                if (!clock.instant().isBefore(giveUpAt)) {
                    throw new StartupException("data directory " + dataDir.toAbsolutePath().normalize()
                            + " is in use by another running process (" + holder + "): stop it, or give this one its own "
                            + dirSetting);
                }
                if (!told) {
                    waiting.accept("data directory " + dataDir.toAbsolutePath().normalize() + " is in use by another"
                            + " running process (" + holder + "); waiting up to " + patience.toSeconds() + " s for it to stop");
                    told = true;
                }
                Thread.sleep(RETRY.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(channel);
            throw new StartupException("interrupted while waiting for the data directory lock " + file);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    /** Names this lock across machines ({@code host:path}): two processes with the same id share one data directory. */
    public String id() {
        return id;
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // the channel's close below releases it as well
        }
        closeQuietly(channel);
    }

    private static FileChannel open(Path file) {
        try {
            Files.createDirectories(file.getParent());
            return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new StartupException("cannot open " + file + " (" + e.getMessage()
                    + "): make IOMT_DATA_DIR a directory this user may write", e);
        }
    }

    private static Optional<FileLock> tryLock(FileChannel channel) {
        try {
            return Optional.ofNullable(channel.tryLock());
        } catch (OverlappingFileLockException e) {
            return Optional.empty(); // held by this very JVM (a second runtime in one process, e.g. a test)
        } catch (IOException e) {
            throw new StartupException("cannot lock the data directory (" + e.getMessage() + ")", e);
        }
    }

    private static void writePid(FileChannel channel) {
        try {
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            channel.force(false);
        } catch (IOException e) {
            // the pid is only for messages; the lock is what counts
        }
    }

    private static Optional<String> readPid(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
            return text.isEmpty() ? Optional.empty() : Optional.of(text);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }
}
