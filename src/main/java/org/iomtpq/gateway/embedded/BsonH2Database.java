package org.iomtpq.gateway.embedded;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.AbstractSynchronizedMongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.h2.H2Collection;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.oplog.Oplog;
import java.util.List;
import java.util.stream.Collectors;
import org.h2.mvstore.FileStore;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/**
 * A database of the BSON store format: the library's {@link H2Collection} (as {@link BsonH2Collection}) over maps opened with BSON data types
 * ({@link BsonDocumentType}, {@link KeyValueType}, {@link IndexPositionType}) under {@link BsonMapNames}.
 *
 * <p>Not a subclass of the library's {@code H2Database}: its constructor opens the system collections (through the
 * overridable {@code openOrCreateCollection}) before a subclass could hold the MVStore, and its drop and rename
 * methods remove and rename maps by the library's names. So this class extends the same base and does both itself.
 */
final class BsonH2Database extends AbstractSynchronizedMongoDatabase<Object> {

    private final MVStore mvStore;

    BsonH2Database(String databaseName, MVStore mvStore, CursorRegistry cursorRegistry) {
        super(databaseName, cursorRegistry);
        this.mvStore = mvStore;
        initializeNamespacesAndIndexes();
    }

    @Override
    protected MongoCollection<Object> openOrCreateCollection(String collectionName, CollectionOptions options) {
        String namespace = getFullCollectionNamespace(collectionName);
        MVMap<Object, Document> dataMap = mvStore.openMap(BsonMapNames.data(namespace),
                new MVMap.Builder<Object, Document>().valueType(BsonDocumentType.INSTANCE)); // keys: H2's default type
        MVMap<String, Object> metaMap = mvStore.openMap(BsonMapNames.meta(namespace)); // a few counters
        return new BsonH2Collection(this, collectionName, options, dataMap, metaMap, cursorRegistry);
    }

    @Override
    protected Index<Object> openOrCreateUniqueIndex(String collectionName, String indexName, List<IndexKey> keys,
            boolean sparse) {
        MVMap<KeyValue, Object> map = mvStore.openMap(BsonMapNames.index(getFullCollectionNamespace(collectionName), indexName),
                new MVMap.Builder<KeyValue, Object>().keyType(KeyValueType.INSTANCE).valueType(IndexPositionType.INSTANCE));
        return new MVMapUniqueIndex(map, indexName, keys, sparse);
    }

    @Override
    protected void dropIndex(MongoCollection<Object> collection, String indexName) {
        super.dropIndex(collection, indexName);
        mvStore.removeMap(BsonMapNames.index(collection.getFullName(), indexName));
    }

    /** The collection's indexes are dropped (and their maps removed) by the base class, through {@link #dropIndex}. */
    @Override
    public void dropCollection(String collectionName, Oplog oplog) {
        super.dropCollection(collectionName, oplog);
        String namespace = getFullCollectionNamespace(collectionName);
        mvStore.removeMap(BsonMapNames.data(namespace));
        mvStore.removeMap(BsonMapNames.meta(namespace));
    }

    @Override
    public void drop(Oplog oplog) {
        super.drop(oplog);
        List<String> leftOver = mvStore.getMapNames().stream()
                .filter(name -> BsonMapNames.belongsToDatabase(name, databaseName))
                .collect(Collectors.toList());
        leftOver.forEach(mvStore::removeMap);
    }

    /** Renames the maps along with the collection, its indexes' too, so they are found under the new name at restart. */
    @Override
    public void moveCollection(MongoDatabase oldDatabase, MongoCollection<?> collection, String newCollectionName) {
        String oldNamespace = collection.getFullName();
        super.moveCollection(oldDatabase, collection, newCollectionName);
        String newNamespace = getFullCollectionNamespace(newCollectionName);
        rename(BsonMapNames.data(oldNamespace), BsonMapNames.data(newNamespace));
        rename(BsonMapNames.meta(oldNamespace), BsonMapNames.meta(newNamespace));
        String oldIndexes = BsonMapNames.indexesOf(oldNamespace);
        List<String> indexMaps = mvStore.getMapNames().stream().filter(name -> name.startsWith(oldIndexes))
                .collect(Collectors.toList());
        for (String indexMap : indexMaps) {
            rename(indexMap, BsonMapNames.indexesOf(newNamespace) + indexMap.substring(oldIndexes.length()));
        }
    }

    /** An open map is returned as it is (with its own types); renaming does not read its contents. */
    private void rename(String oldName, String newName) {
        if (mvStore.hasMap(oldName)) {
            mvStore.renameMap(mvStore.openMap(oldName), newName);
        }
    }

    @Override
    protected long getStorageSize() {
        FileStore<?> fileStore = mvStore.getFileStore();
        return fileStore == null ? 0 : fileStore.size();
    }

    @Override
    protected long getFileSize() {
        return getStorageSize();
    }
}
