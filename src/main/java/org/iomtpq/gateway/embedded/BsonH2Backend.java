package org.iomtpq.gateway.embedded;

import de.bwaldvogel.mongo.MongoDatabase;
import java.util.Optional;
import org.h2.mvstore.MVStore;

/**
 * The embedded server on a store of the {@link StoreFormat#BSON} format, committing after every write command as
 * {@link CommitOnWriteH2Backend} does. Its databases are {@link BsonH2Database}s.
 */
final class BsonH2Backend extends CommitOnWriteH2Backend {

    /**
     * The base constructor opens the databases it finds under the library's map names only; the databases of this
     * format are opened here, so that they exist (for {@code listDatabases}, for example) before a client names them.
     */
    BsonH2Backend(MVStore mvStore) {
        super(mvStore);
        mvStore.getMapNames().stream().map(BsonMapNames::databaseOfDataMap).flatMap(Optional::stream).distinct()
                .forEach(this::resolveDatabase);
    }

    /** Called from the base constructor too, before this class's fields would be set: uses only the base's store. */
    @Override
    protected MongoDatabase openOrCreateDatabase(String databaseName) {
        return new BsonH2Database(databaseName, getMvStore(), getCursorRegistry());
    }
}
