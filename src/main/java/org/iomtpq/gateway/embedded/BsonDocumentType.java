package org.iomtpq.gateway.embedded;

import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.bson.BsonDecoder;
import de.bwaldvogel.mongo.wire.bson.BsonEncoder;
import io.netty.buffer.ByteBuf;

/**
 * H2 value type for the documents of a collection: BSON instead of H2's default, which Java-serializes every
 * document of every leaf page again at each page save (the largest CPU cost of the store, issue 9). Values are
 * never compared, so there is no {@code compare}.
 */
final class BsonDocumentType extends BsonStoredType<Document> {

    static final BsonDocumentType INSTANCE = new BsonDocumentType();

    private BsonDocumentType() {
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
