package org.iomtpq.gateway.embedded;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.h2.H2Collection;
import de.bwaldvogel.mongo.bson.Document;
import org.h2.mvstore.MVMap;

/**
 * The library's collection, told when a stored document changes: the server applies an update to the stored object
 * itself (it copies the new fields into it and puts the same object back), so the bytes kept for that object
 * ({@link EncodedDocuments}) are dropped before it is put.
 */
final class BsonH2Collection extends H2Collection {

    BsonH2Collection(MongoDatabase database, String collectionName, CollectionOptions options,
                     MVMap<Object, Document> dataMap, MVMap<String, Object> metaMap, CursorRegistry cursorRegistry) {
        super(database, collectionName, options, dataMap, metaMap, cursorRegistry);
    }

    @Override
    protected void handleUpdate(Object position, Document oldDocument, Document newDocument) {
        BsonDocumentType.INSTANCE.changedInPlace(newDocument);
        super.handleUpdate(position, oldDocument, newDocument);
    }
}
