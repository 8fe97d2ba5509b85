package org.iomtpq.gateway.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import de.bwaldvogel.mongo.bson.BinData;
import de.bwaldvogel.mongo.bson.BsonJavaScript;
import de.bwaldvogel.mongo.bson.BsonRegularExpression;
import de.bwaldvogel.mongo.bson.BsonTimestamp;
import de.bwaldvogel.mongo.bson.Decimal128;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.MaxKey;
import de.bwaldvogel.mongo.bson.MinKey;
import de.bwaldvogel.mongo.bson.ObjectId;
import de.bwaldvogel.mongo.wire.bson.BsonDecoder;
import de.bwaldvogel.mongo.wire.bson.BsonEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.h2.mvstore.WriteBuffer;
import org.junit.jupiter.api.Test;

/**
 * Documents as the wire decoder produces them (how every document enters the server) survive the BSON page type
 * unchanged, with every BSON type, and several documents back to back in one page buffer.
 */
class BsonDocumentTypeTest {

    @Test
    void everyBsonTypeRoundTrips() {
        Document wire = asTheWireDecodesIt(everyType());

        Document stored = roundTrip(wire);

        // BsonRegularExpression has no equals of its own: compared by what it holds
        assertEquals(((BsonRegularExpression) wire.remove("regex")).toDocument(),
                ((BsonRegularExpression) stored.remove("regex")).toDocument());
        assertEquals(wire, stored);
        assertInstanceOf(Integer.class, stored.get("int"));
        assertInstanceOf(Long.class, stored.get("long"));
        assertInstanceOf(Double.class, stored.get("double"));
        assertInstanceOf(Decimal128.class, stored.get("decimal"));
        assertInstanceOf(Instant.class, stored.get("date"));
        assertInstanceOf(UUID.class, stored.get("uuid"));
        assertEquals(List.copyOf(wire.keySet()), List.copyOf(stored.keySet()), "field order is kept");
    }

    @Test
    void documentsBackToBackInOnePageAreReadOneAfterTheOther() {
        BsonDocumentType type = BsonDocumentType.INSTANCE;
        List<Document> documents = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            documents.add(asTheWireDecodesIt(new Document("_id", "s|" + i).append("seq", i)
                    .append("payload", "x".repeat(i * 37))));
        }
        WriteBuffer page = new WriteBuffer();
        page.putInt(0xCAFE); // H2's own data before ours
        type.write(page, documents.toArray(), documents.size());
        page.putInt(0xBEEF); // and after
        ByteBuffer read = page.getBuffer().flip();

        assertEquals(0xCAFE, read.getInt());
        Document[] back = type.createStorage(documents.size());
        type.read(read, back, documents.size());
        assertEquals(0xBEEF, read.getInt(), "read exactly the bytes written");
        assertEquals(documents, List.of(back));
    }

    @Test
    void theSizeEstimateGrowsWithTheDocumentAndIsStable() {
        Document small = asTheWireDecodesIt(new Document("_id", "a"));
        Document large = asTheWireDecodesIt(new Document("_id", "a").append("text", "y".repeat(10_000)));

        int smallSize = BsonDocumentType.INSTANCE.getMemory(small);
        assertEquals(smallSize, BsonDocumentType.INSTANCE.getMemory(small));
        assertEquals(true, BsonDocumentType.INSTANCE.getMemory(large) > smallSize + 10_000);
    }

    static Document everyType() {
        return new Document("_id", new ObjectId())
                .append("string", "héllo wörld ✓ 日本語 \uD83D\uDE00")
                .append("empty", "")
                .append("int", 42)
                .append("negativeInt", Integer.MIN_VALUE)
                .append("long", 1L << 53)
                .append("double", 36.6)
                .append("nan", Double.NaN)
                .append("negativeZero", -0.0)
                .append("decimal", new Decimal128(new BigDecimal("1234567890.123456789")))
                .append("true", true)
                .append("false", false)
                .append("null", null)
                .append("date", Instant.ofEpochMilli(1_764_000_000_123L))
                .append("binary", new BinData(new byte[] {0, 1, 2, (byte) 0xff}))
                .append("uuid", UUID.fromString("6f1c2a0e-3c3b-4d7e-9a59-0a2b3c4d5e6f"))
                .append("timestamp", new BsonTimestamp(1_764_000_000L << 32 | 7))
                .append("regex", new BsonRegularExpression("^bp-[0-9]+$", "i"))
                .append("javascript", new BsonJavaScript("function() { return 1; }"))
                .append("minKey", MinKey.getInstance())
                .append("maxKey", MaxKey.getInstance())
                .append("nested", new Document("vitals", new Document("heartRate", 72).append("spo2", 97.5))
                        .append("tags", List.of("a", "b")))
                .append("array", List.of(1, "two", 3.0, new Document("four", 4), List.of(5, List.of(6)), List.of()))
                .append("emptyDocument", new Document());
    }

    /** Encodes with the server's encoder and decodes with its decoder: the Java types a client's document arrives as. */
    static Document asTheWireDecodesIt(Document document) {
        ByteBuf buffer = Unpooled.buffer();
        BsonEncoder.encodeDocument(document, buffer);
        return BsonDecoder.decodeBson(buffer);
    }

    private static Document roundTrip(Document document) {
        WriteBuffer page = new WriteBuffer();
        BsonDocumentType.INSTANCE.write(page, document);
        return BsonDocumentType.INSTANCE.read(page.getBuffer().flip());
    }
}
