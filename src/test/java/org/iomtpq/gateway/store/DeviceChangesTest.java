package org.iomtpq.gateway.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import org.iomtpq.gateway.embedded.EmbeddedMongo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cross-instance feed of changed devices, on the embedded store's file format (its $push/$slice included). */
class DeviceChangesTest {

    @TempDir
    java.nio.file.Path dir;

    private EmbeddedMongo mongo;
    private MongoClient client;

    private DeviceChanges feed() {
        if (mongo == null) {
            mongo = EmbeddedMongo.start(dir, "127.0.0.1", 0);
            client = MongoClients.create(mongo.connectionString());
        }
        return new DeviceChanges(client.getDatabase("iomt"));
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
            mongo.close();
        }
    }

    @Test
    void aReaderLearnsExactlyWhatChangedSinceItLastLooked() {
        DeviceChanges instanceA = feed();
        DeviceChanges instanceB = feed();
        assertEquals(new DeviceChanges.Since(0, List.of(), true), instanceB.since(0), "nothing announced yet");

        instanceA.announce("D1");
        instanceA.announce("D2");
        DeviceChanges.Since first = instanceB.since(0);
        assertEquals(new DeviceChanges.Since(2, List.of("D1", "D2"), true), first);

        instanceA.announce("D3");
        assertEquals(new DeviceChanges.Since(3, List.of("D3"), true), instanceB.since(first.count()));
        assertEquals(new DeviceChanges.Since(3, List.of(), true), instanceB.since(3), "nothing new");
    }

    @Test
    void aReaderThatMissedMoreThanTheFeedKeepsIsToldItIsIncomplete() {
        DeviceChanges feed = feed();
        for (int i = 0; i < DeviceChanges.KEPT + 5; i++) {
            feed.announce("D" + i);
        }
        DeviceChanges.Since since = feed.since(0);
        assertFalse(since.complete());
        assertEquals(DeviceChanges.KEPT + 5, since.count());
        assertEquals(DeviceChanges.KEPT, since.devices().size(), "the feed keeps the last " + DeviceChanges.KEPT);
        assertEquals("D" + (DeviceChanges.KEPT + 4), since.devices().get(since.devices().size() - 1));

        DeviceChanges.Since recent = feed.since(DeviceChanges.KEPT);
        assertTrue(recent.complete());
        List<String> expected = new ArrayList<>();
        for (int i = DeviceChanges.KEPT; i < DeviceChanges.KEPT + 5; i++) {
            expected.add("D" + i);
        }
        assertEquals(expected, recent.devices());
    }

    @Test
    void aFeedThatWentBackIsIncomplete() {
        DeviceChanges feed = feed();
        feed.announce("D1");
        assertFalse(feed.since(7).complete(), "a count below what was seen: the store was replaced");
    }
}
