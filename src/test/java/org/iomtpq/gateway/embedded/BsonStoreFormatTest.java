package org.iomtpq.gateway.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;
import org.bson.BsonTimestamp;
import org.bson.Document;
import org.bson.BsonBinarySubType;
import org.bson.types.Binary;
import org.bson.types.Code;
import org.bson.types.Decimal128;
import org.bson.types.MaxKey;
import org.bson.types.MinKey;
import org.bson.types.ObjectId;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The BSON store format through the real MongoDB driver: what is written comes back after a restart (then read from
 * the file, not from H2's cache), unique indexes refuse duplicates and answer lookups, a store is never read in the
 * other format, and an acknowledged write is in the file before the store is closed.
 */
class BsonStoreFormatTest {

    @TempDir
    Path dataDir;

    private EmbeddedMongo mongo;
    private MongoClient client;

    @AfterEach
    void stop() {
        closeQuietly();
    }

    @Test
    void aNewStoreIsBsonAndAllItsMapsHaveTheFormatsNames() {
        start();
        observations().insertOne(new Document("_id", "s1|1"));
        closeQuietly();

        assertEquals(Optional.of(StoreFormat.BSON), mongo.storeFormat());
        Set<String> names = mapNames(storeFile(dataDir));
        assertFalse(names.isEmpty());
        for (String name : names) {
            assertTrue(name.startsWith(BsonMapNames.PREFIX), name);
        }
        assertTrue(names.contains("bson.data.iomt.observations"), names.toString());
        assertTrue(names.contains("bson.index.iomt.observations$_id_"), names.toString());
    }

    /**
     * The server keeps binary data without its subtype (the wire decoder drops it), whatever the store: a user-defined
     * subtype comes back as generic binary in both formats. Everything else comes back as written.
     */
    @Test
    void everyBsonTypeComesBackThroughTheDriverAfterARestartAsInTheLegacyFormat() {
        Document written = everyDriverType();
        Document bson = writeRestartAndRead(dataDir.resolve("bson"), StoreFormat.BSON, written);
        Document legacy = writeRestartAndRead(dataDir.resolve("legacy"), StoreFormat.LEGACY, written);

        assertEquals(legacy, bson);
        assertEquals(new Binary(new byte[] {9, 8}), bson.remove("binarySubtype"));
        written.remove("binarySubtype");
        assertEquals(written, bson);
    }

    private Document writeRestartAndRead(Path dir, StoreFormat format, Document document) {
        try (EmbeddedMongo server = EmbeddedMongo.start(dir, "127.0.0.1", 0, format);
             MongoClient writer = MongoClients.create(server.connectionString())) {
            writer.getDatabase("iomt").getCollection("observations").insertOne(document);
        }
        try (EmbeddedMongo server = EmbeddedMongo.start(dir, "127.0.0.1", 0);
             MongoClient reader = MongoClients.create(server.connectionString())) {
            assertEquals(Optional.of(format), server.storeFormat());
            return reader.getDatabase("iomt").getCollection("observations").find(Filters.eq("_id", document.get("_id"))).first();
        }
    }

    @Test
    void uniqueIndexesRefuseDuplicatesAndAnswerLookups() {
        start();
        MongoCollection<Document> devices = client.getDatabase("iomt").getCollection("devices");
        devices.createIndex(Indexes.ascending("deviceIdHash"), new IndexOptions().unique(true));
        for (int i = 0; i < 500; i++) {
            devices.insertOne(new Document("_id", "BP_" + i).append("deviceIdHash", "0x" + Integer.toHexString(i * 7919)));
        }

        assertDuplicate(() -> devices.insertOne(new Document("_id", "BP_17").append("deviceIdHash", "0xnew")));
        assertDuplicate(() -> devices.insertOne(new Document("_id", "BP_new").append("deviceIdHash", "0x" + Integer.toHexString(17 * 7919))));
        assertEquals("0x" + Integer.toHexString(250 * 7919), devices.find(Filters.eq("_id", "BP_250")).first().get("deviceIdHash"));
        assertEquals("BP_333", devices.find(Filters.eq("deviceIdHash", "0x" + Integer.toHexString(333 * 7919))).first().get("_id"));
        List<Object> found = new ArrayList<>();
        devices.find(Filters.in("_id", "BP_3", "BP_499", "BP_missing", "BP_0")).forEach(d -> found.add(d.get("_id")));
        assertEquals(Set.of("BP_0", "BP_3", "BP_499"), Set.copyOf(found));
        assertEquals(500, devices.countDocuments());
    }

    @Test
    void aRestartFindsEveryDocumentAndEveryUniqueIndex() {
        start();
        MongoCollection<Document> observations = observations();
        observations.createIndex(Indexes.ascending("sessionId", "seq"), new IndexOptions().unique(true));
        observations.insertMany(IntStream.range(0, 2_000)
                .mapToObj(i -> new Document("_id", new ObjectId()).append("sessionId", "s" + i % 20).append("seq", i / 20))
                .toList());
        client.getDatabase("other").getCollection("things").insertOne(new Document("_id", 1).append("n", "one"));
        restart();

        assertEquals(2_000, observations().countDocuments());
        assertEquals(1, observations().find(Filters.and(Filters.eq("sessionId", "s7"), Filters.eq("seq", 42))).into(new ArrayList<>()).size());
        assertDuplicate(() -> observations().insertOne(new Document("sessionId", "s7").append("seq", 42)));
        Object id = observations().find().first().get("_id");
        assertDuplicate(() -> observations().insertOne(new Document("_id", id).append("sessionId", "x").append("seq", 1)));
        assertTrue(client.listDatabaseNames().into(new ArrayList<>()).containsAll(List.of("iomt", "other")));
        assertEquals("one", client.getDatabase("other").getCollection("things").find(Filters.eq("_id", 1)).first().get("n"));
    }

    @Test
    void droppedCollectionsIndexesAndDatabasesLeaveNothingBehind() {
        start();
        MongoCollection<Document> sessions = client.getDatabase("iomt").getCollection("sessions");
        sessions.createIndex(Indexes.ascending("deviceId"), new IndexOptions().unique(true));
        sessions.insertOne(new Document("_id", "a").append("deviceId", "d1"));
        sessions.drop();
        sessions.insertOne(new Document("_id", "a").append("deviceId", "d1")); // neither key is still taken
        sessions.insertOne(new Document("_id", "b").append("deviceId", "d1")); // the unique index went with the drop
        client.getDatabase("scratch").getCollection("c").insertOne(new Document("_id", 1));
        client.getDatabase("scratch").drop();
        restart();

        assertEquals(2, client.getDatabase("iomt").getCollection("sessions").countDocuments());
        Set<String> names = mapNamesOfTheOpenStore();
        assertTrue(names.stream().noneMatch(name -> name.contains("scratch")), names.toString());
        assertTrue(names.stream().noneMatch(name -> name.contains("sessions$deviceId")), names.toString());
    }

    @Test
    void aRenamedCollectionKeepsItsDocumentsAndItsUniqueIndexAcrossARestart() {
        start();
        MongoCollection<Document> old = client.getDatabase("iomt").getCollection("old");
        old.createIndex(Indexes.ascending("k"), new IndexOptions().unique(true));
        old.insertOne(new Document("_id", 1).append("k", "x"));
        old.renameCollection(new com.mongodb.MongoNamespace("iomt", "renamed"));
        restart();

        MongoCollection<Document> renamed = client.getDatabase("iomt").getCollection("renamed");
        assertEquals(1, renamed.countDocuments());
        assertDuplicate(() -> renamed.insertOne(new Document("_id", 2).append("k", "x")));
    }

    /** kill -9 safety: the commit after each write command put the document in the file before any clean close. */
    @Test
    void anAcknowledgedWriteIsInTheFileBeforeTheStoreIsClosed() throws Exception {
        start();
        observations().insertOne(new Document("_id", "s1|1").append("v", 1));
        observations().insertMany(List.of(new Document("_id", "s1|2"), new Document("_id", "s1|3")));
        observations().updateOne(Filters.eq("_id", "s1|1"), new Document("$set", new Document("v", 2)));

        Path copy = Files.createDirectories(dataDir.resolve("copy/mongo"));
        Files.copy(storeFile(dataDir), copy.resolve("iomt.mv.db"), StandardCopyOption.REPLACE_EXISTING); // still open
        try (EmbeddedMongo crashed = EmbeddedMongo.start(dataDir.resolve("copy"), "127.0.0.1", 0);
             MongoClient reader = MongoClients.create(crashed.connectionString())) {
            MongoCollection<Document> seen = reader.getDatabase("iomt").getCollection("observations");
            assertEquals(3, seen.countDocuments());
            assertEquals(2, seen.find(Filters.eq("_id", "s1|1")).first().getInteger("v"));
            assertDuplicate(() -> seen.insertOne(new Document("_id", "s1|3")));
        }
    }

    @Test
    void aStoreWrittenByThePreviousVersionIsOpenedInItsOwnFormatAndStaysWritable() {
        Path file = storeFile(dataDir);
        writeWithTheLibrarysOwnBackend(file);

        start();
        assertEquals(Optional.of(StoreFormat.LEGACY), mongo.storeFormat());
        assertEquals(100, observations().countDocuments());
        assertEquals(42, observations().find(Filters.eq("_id", "s|42")).first().getInteger("seq"));
        assertDuplicate(() -> observations().insertOne(new Document("_id", "s|42")));
        assertDuplicate(() -> observations().insertOne(new Document("sessionId", "s").append("seq", 7)));
        observations().insertOne(new Document("_id", "s|100").append("sessionId", "s").append("seq", 100));
        restart();

        assertEquals(Optional.of(StoreFormat.LEGACY), mongo.storeFormat());
        assertEquals(101, observations().countDocuments());
        assertTrue(mapNamesOfTheOpenStore().stream().noneMatch(name -> name.startsWith(BsonMapNames.PREFIX)));
    }

    @Test
    void aNewStoreCanBeCreatedInTheLegacyFormatToMeasureIt() {
        mongo = EmbeddedMongo.start(dataDir, "127.0.0.1", 0, StoreFormat.LEGACY);
        client = MongoClients.create(mongo.connectionString());
        observations().insertOne(new Document("_id", "s|1"));
        restart(); // the default start keeps the format the store has

        assertEquals(Optional.of(StoreFormat.LEGACY), mongo.storeFormat());
        assertEquals(1, observations().countDocuments());
    }

    private static void writeWithTheLibrarysOwnBackend(Path file) {
        try {
            Files.createDirectories(file.getParent());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        MongoServer server = new MongoServer(new H2Backend(file.toString()));
        String uri = "mongodb://127.0.0.1:" + server.bind().getPort();
        try (MongoClient legacy = MongoClients.create(uri)) {
            MongoCollection<Document> observations = legacy.getDatabase("iomt").getCollection("observations");
            observations.createIndex(Indexes.ascending("sessionId", "seq"), new IndexOptions().unique(true));
            observations.insertMany(IntStream.range(0, 100)
                    .mapToObj(i -> new Document("_id", "s|" + i).append("sessionId", "s").append("seq", i)).toList());
        } finally {
            server.shutdownNow(); // commits and closes the file
        }
    }

    /** Every type a client can send, as the Java driver sends it. */
    private static Document everyDriverType() {
        return new Document("_id", new ObjectId())
                .append("string", "héllo ✓ 日本語 \uD83D\uDE00")
                .append("int", 42)
                .append("long", 1L << 40)
                .append("double", 36.6)
                .append("decimal", Decimal128.parse("1234567890.123456789"))
                .append("bool", true)
                .append("null", null)
                .append("date", new Date(1_764_000_000_123L))
                .append("binary", new Binary(new byte[] {0, 1, 2, (byte) 0xff}))
                .append("binarySubtype", new Binary((byte) 0x80, new byte[] {9, 8}))
                .append("uuid", new Binary(BsonBinarySubType.UUID_STANDARD, java.nio.ByteBuffer.allocate(16)
                        .putLong(0x6f1c2a0e3c3b4d7eL).putLong(0x9a590a2b3c4d5e6fL).array()))
                .append("timestamp", new BsonTimestamp(1_764_000_000, 7))
                .append("code", new Code("function() { return 1; }"))
                .append("minKey", new MinKey())
                .append("maxKey", new MaxKey())
                .append("nested", new Document("vitals", new Document("heartRate", 72).append("spo2", 97.5))
                        .append("tags", List.of("a", "b")))
                .append("array", List.of(1, "two", 3.0, new Document("four", 4), List.of(5, List.of(6)), List.of()))
                .append("emptyDocument", new Document());
    }

    private void start() {
        mongo = EmbeddedMongo.start(dataDir, "127.0.0.1", 0);
        client = MongoClients.create(mongo.connectionString());
    }

    private void restart() {
        closeQuietly();
        start();
    }

    private void closeQuietly() {
        if (client != null) {
            client.close();
        }
        if (mongo != null) {
            mongo.close();
        }
    }

    private MongoCollection<Document> observations() {
        return client.getDatabase("iomt").getCollection("observations");
    }

    private Set<String> mapNamesOfTheOpenStore() {
        closeQuietly();
        Set<String> names = mapNames(storeFile(dataDir));
        start();
        return names;
    }

    private static Set<String> mapNames(Path file) {
        MVStore store = new MVStore.Builder().fileName(file.toString()).readOnly().open();
        try {
            return Set.copyOf(store.getMapNames());
        } finally {
            store.close();
        }
    }

    private static Path storeFile(Path dataDir) {
        return dataDir.resolve("mongo").resolve("iomt.mv.db");
    }

    private static void assertDuplicate(org.junit.jupiter.api.function.Executable write) {
        assertEquals(11000, assertThrows(MongoWriteException.class, write).getCode());
    }
}
