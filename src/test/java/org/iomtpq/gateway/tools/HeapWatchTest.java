package org.iomtpq.gateway.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;

import org.junit.jupiter.api.Test;

class HeapWatchTest {

    @Test
    void reportsTheHeapLeftAfterACollectionOnlyOnceOneHappened() throws InterruptedException {
        try (HeapWatch heap = new HeapWatch()) {
            assertEquals(-1, heap.usedAfterLastGc(), "nothing known before the first collection");
            byte[][] kept = new byte[8][];
            for (int i = 0; i < kept.length; i++) {
                kept[i] = new byte[1 << 20]; // 8 MiB that survive the collection
            }
            System.gc();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (heap.collections() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20); // notifications arrive on a JMX thread
            }
            assertTrue(heap.collections() >= 1);
            long after = heap.usedAfterLastGc();
            assertTrue(after >= 8L << 20, "the live 8 MiB are counted: " + after);
            assertTrue(after <= ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted(),
                    "heap only, not metaspace or code cache: " + after);
            assertEquals(8, kept.length);
        }
    }
}
