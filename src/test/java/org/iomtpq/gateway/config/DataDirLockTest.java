package org.iomtpq.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirLockTest {

    @TempDir
    Path dataDir;

    @Test
    void heldByOneHolderAtATimeAndFreeAgainWhenReleased() {
        List<String> told = new ArrayList<>();
        try (DataDirLock first = DataDirLock.acquire(dataDir, "IOMT_DATA_DIR", Duration.ofSeconds(1), Clock.systemUTC(), told::add)) {
            assertTrue(first.id().endsWith(dataDir.toAbsolutePath().normalize().resolve(DataDirLock.FILE).toString()), first.id());
            assertEquals(String.valueOf(ProcessHandle.current().pid()), read(dataDir.resolve(DataDirLock.FILE)));
            StartupException e = assertThrows(StartupException.class,
                    () -> DataDirLock.acquire(dataDir, "IOMT_DATA_DIR", Duration.ofMillis(600), Clock.systemUTC(), told::add));
            assertTrue(e.getMessage().contains("in use by another running process (pid " + ProcessHandle.current().pid() + ")"),
                    e.getMessage());
            assertTrue(e.getMessage().endsWith("give this one its own IOMT_DATA_DIR"), e.getMessage());
            assertEquals(1, told.size(), "the wait is logged once: " + told);
        }
        try (DataDirLock again = DataDirLock.acquire(dataDir, "IOMT_DATA_DIR", Duration.ofSeconds(1), Clock.systemUTC(), told::add)) {
            assertEquals(1, told.size(), "a free lock is taken without waiting");
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file).trim();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
