package org.iomtpq.gateway.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Date;
import java.util.List;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import org.bson.Document;
import org.iomtpq.gateway.store.OutboxEntry.Op;
import org.iomtpq.gateway.store.OutboxEntry.Status;
import org.iomtpq.gateway.testsupport.InMemoryMongo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the relay is given to do, against the embedded server: open entries only, oldest first, each once, also when
 * a write was cut short between an entry and its marker, and for a database from before the markers.
 */
class OutboxRepositoryTest {

    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    private InMemoryMongo mongo;
    private MongoDatabase db;
    private OutboxRepository outbox;

    @BeforeEach
    void start() {
        mongo = new InMemoryMongo();
        db = mongo.db();
        outbox = new OutboxRepository(db);
    }

    @AfterEach
    void stop() {
        mongo.close();
    }

    private static OutboxEntry register(String deviceId, Instant at) {
        return OutboxEntry.pending(Op.REGISTER, deviceId, "0x" + deviceId, "0xc0", new byte[8], new byte[8], at);
    }

    private List<String> dueIds(Instant now) {
        return outbox.due(now, 50).stream().map(OutboxEntry::id).toList();
    }

    private MongoCollection<Document> markers() {
        return db.getCollection(Collections.OUTBOX_OPEN);
    }

    @Test
    void openEntriesAreDueOldestFirstOnceEachUntilFinished() {
        OutboxEntry b = register("B", T0.plusSeconds(2));
        OutboxEntry a = register("A", T0.plusSeconds(1));
        OutboxEntry c = register("C", T0.plusSeconds(3));
        outbox.add(b);
        outbox.add(a);
        outbox.add(c);
        outbox.add(a); // the same operation again: nothing new

        assertEquals(List.of(a.id(), b.id(), c.id()), dueIds(T0.plusSeconds(10)));
        assertEquals(List.of(a.id()), outbox.due(T0.plusSeconds(10), 1).stream().map(OutboxEntry::id).toList());
        assertEquals(List.of(), dueIds(T0), "not before it was made");

        outbox.markSigned(a.id(), 7, "0xraw", "0xhash", T0.plusSeconds(11));
        assertEquals(Status.SIGNED, outbox.due(T0.plusSeconds(12), 1).get(0).status(), "signed is still open");

        outbox.finish(a.id(), Status.CONFIRMED, "block 9", T0.plusSeconds(13));
        outbox.defer(b.id(), T0.plusSeconds(60), "chain unavailable");
        assertEquals(List.of(c.id()), dueIds(T0.plusSeconds(14)));
        assertEquals(List.of(b.id(), c.id()), dueIds(T0.plusSeconds(60)));
        assertEquals(2, markers().countDocuments(), "the finished entry's marker is gone");

        outbox.add(a); // a finished operation added again stays finished
        assertEquals(List.of(b.id(), c.id()), dueIds(T0.plusSeconds(60)));
        assertEquals(Status.CONFIRMED, outbox.find(a.id()).orElseThrow().status());
    }

    @Test
    void inFlightNamesTheOperationAndTheDevice() {
        outbox.add(OutboxEntry.anchor("gw/s1", "0x01", 1, 5, "0xroot", T0));
        assertTrue(outbox.inFlight(Op.ANCHOR, "gw/s1", T0));
        assertFalse(outbox.inFlight(Op.ANCHOR, "gw/s2", T0));
        assertFalse(outbox.inFlight(Op.REGISTER, "gw/s1", T0));
        outbox.finish(outbox.due(T0, 1).get(0).id(), Status.REVERTED, "reverted", T0);
        assertFalse(outbox.inFlight(Op.ANCHOR, "gw/s1", T0));
    }

    @Test
    void aMarkerWhoseEntryIsMissingIsKeptForTheGraceThenDropped() {
        // The add was cut short after its marker: the entry may still be on its way, so the marker stays a while.
        markers().insertOne(new Document("_id", "register/X/0xc0").append("markedAt", Date.from(T0)));
        assertEquals(List.of(), dueIds(T0.plusSeconds(1)));
        assertEquals(1, markers().countDocuments());
        assertEquals(List.of(), dueIds(T0.plus(OutboxRepository.MARKER_GRACE).plusSeconds(1)));
        assertEquals(0, markers().countDocuments());
    }

    @Test
    void aMarkerDroppedAsMissingWhileItsEntryArrivesIsPutBack() {
        // The reader saw the marker without its entry, then the (slow) add inserted the entry before the drop.
        markers().insertOne(new Document("_id", "register/X/0xc0").append("markedAt", Date.from(T0)));
        OutboxEntry late = register("X", T0);
        db.getCollection(Collections.OUTBOX).insertOne(new Document("_id", late.id()).append("op", "REGISTER")
                .append("deviceId", "X").append("status", "PENDING").append("attempts", 0)
                .append("createdAt", Date.from(T0)).append("nextAttemptAt", Date.from(T0)));
        outbox.dropMarkerOfMissingEntry(late.id(), T0);
        assertEquals(1, markers().countDocuments(Filters.eq("_id", late.id())));
        assertEquals(List.of(late.id()), dueIds(T0.plusSeconds(120)));

        outbox.dropMarkerOfMissingEntry("register/Y/0xc0", T0); // really missing: gone
        assertEquals(0, markers().countDocuments(Filters.eq("_id", "register/Y/0xc0")));
    }

    @Test
    void entriesMadeAtTheSameInstantAreDueInTheOrderOfTheirIds() {
        outbox.add(register("B", T0));
        outbox.add(register("A", T0));
        assertEquals(List.of(register("A", T0).id(), register("B", T0).id()), dueIds(T0));
    }

    @Test
    void aMarkerLeftBehindByAnInterruptedFinishIsDropped() {
        OutboxEntry a = register("A", T0);
        outbox.add(a);
        db.getCollection(Collections.OUTBOX).updateOne(Filters.eq("_id", a.id()),
                new Document("$set", new Document("status", Status.CONFIRMED.name())));
        assertEquals(List.of(), dueIds(T0.plusSeconds(1)));
        assertEquals(0, markers().countDocuments());
    }

    @Test
    void anOlderDatabaseGetsMarkersForItsOpenEntriesOnly() {
        outbox.add(register("A", T0));
        outbox.add(register("B", T0.plusSeconds(1)));
        outbox.finish(register("B", T0).id(), Status.CONFIRMED, "block 1", T0);
        markers().deleteMany(new Document()); // as before markers existed
        assertEquals(List.of(), dueIds(T0.plusSeconds(5)));

        assertEquals(1, outbox.restoreOpenMarkers());
        assertEquals(0, outbox.restoreOpenMarkers(), "idempotent");
        assertEquals(List.of(register("A", T0).id()), dueIds(T0.plusSeconds(5)));
    }
}
