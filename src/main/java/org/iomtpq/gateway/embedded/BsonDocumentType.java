package org.iomtpq.gateway.embedded;

import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.bson.BsonDecoder;
import de.bwaldvogel.mongo.wire.bson.BsonEncoder;
import java.nio.ByteBuffer;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;

/**
 * H2 value type for the documents of a collection: BSON instead of H2's default, which Java-serializes every
 * document of every leaf page again at each page save (the largest CPU cost of the store, issue 9). Values are
 * never compared, so there is no {@code compare}.
 */
final class BsonDocumentType extends BasicDataType<Document> {

    static final BsonDocumentType INSTANCE = new BsonDocumentType();

    private BsonDocumentType() {
    }

    /** H2 sizes its page cache and splits pages by this; an estimate of the heap the decoded document takes. */
    @Override
    public int getMemory(Document document) {
        return HeapEstimate.of(document);
    }

    @Override
    public void write(WriteBuffer buffer, Document document) {
        BsonBytes.write(buffer, target -> BsonEncoder.encodeDocument(document, target));
    }

    @Override
    public Document read(ByteBuffer buffer) {
        return BsonBytes.read(buffer, BsonDecoder::decodeBson);
    }

    @Override
    public Document[] createStorage(int size) {
        return new Document[size];
    }
}
