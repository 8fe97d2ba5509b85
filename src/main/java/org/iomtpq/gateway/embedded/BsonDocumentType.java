package org.iomtpq.gateway.embedded;

import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.bson.BsonDecoder;
import de.bwaldvogel.mongo.wire.bson.BsonEncoder;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import org.h2.mvstore.WriteBuffer;

/**
 * H2 value type for the documents of a collection: BSON instead of H2's default, which Java-serializes every
 * document of every leaf page again at each page save (the largest CPU cost of the store, issue 9). Values are
 * never compared, so there is no {@code compare}. A document's bytes are kept for a while after it was read or
 * written ({@link EncodedDocuments}), so that saving its page again copies them instead of encoding it again.
 */
final class BsonDocumentType extends BsonStoredType<Document> {

    static final BsonDocumentType INSTANCE = new BsonDocumentType();

    private final EncodedDocuments encoded = new EncodedDocuments();

    private BsonDocumentType() {
    }

    @Override
    public void write(WriteBuffer buffer, Document document) {
        byte[] bson = encoded.of(document);
        if (bson == null) {
            bson = BsonBytes.encoded(target -> encode(document, target));
            encoded.note(document, bson);
        }
        buffer.put(bson);
    }

    /** The server changed this stored object itself: its kept bytes are stale ({@link BsonH2Collection}). */
    void changedInPlace(Document document) {
        encoded.forget(document);
    }

    @Override
    public Document read(ByteBuffer buffer) {
        int start = buffer.position();
        Document document = super.read(buffer);
        int length = buffer.position() - start;
        if (length <= EncodedDocuments.LARGEST) {
            byte[] bson = new byte[length];
            buffer.get(start, bson);
            encoded.note(document, bson);
        }
        return document;
    }

    @Override
    void encode(Document document, ByteBuf target) {
        BsonEncoder.encodeDocument(document, target);
    }

    /** A BSON document begins with its length, so the decoder reads exactly its own bytes. */
    @Override
    Document decode(ByteBuf source) {
        return BsonDecoder.decodeBson(source);
    }

    @Override
    public Document[] createStorage(int size) {
        return new Document[size];
    }
}
