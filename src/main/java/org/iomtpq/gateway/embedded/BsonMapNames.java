package org.iomtpq.gateway.embedded;

import java.util.Collection;
import java.util.Optional;

/**
 * Names of the H2 maps of the BSON store format. All begin with {@value #PREFIX}, never with the library's own
 * {@code databases.}, {@code meta.} or {@code <database>.} names, so a file of either format is never read with the
 * other's data types (H2 does not record a map's types; opening a map with the wrong ones would misread it).
 *
 * <p>{@code bson.data.<db>.<collection>} the documents, {@code bson.meta.<db>.<collection>} the collection's counters,
 * {@code bson.index.<db>.<collection>$<index>} a unique index. A database name has no dot and a collection name no
 * {@code $} (MongoDB's naming rules), so a database's or a collection's maps are found by prefix without mixing up
 * {@code a} with {@code a.b}.
 */
final class BsonMapNames {

    static final String PREFIX = "bson.";
    private static final String DATA = PREFIX + "data.";
    private static final String META = PREFIX + "meta.";
    private static final String INDEX = PREFIX + "index.";
    /** The library's own prefix for a collection's documents (the format older versions wrote). */
    static final String LEGACY_DATA = "databases.";

    private BsonMapNames() {
    }

    static String data(String namespace) {
        return DATA + namespace;
    }

    static String meta(String namespace) {
        return META + namespace;
    }

    static String index(String namespace, String indexName) {
        return indexesOf(namespace) + indexName;
    }

    static String indexesOf(String namespace) {
        return INDEX + namespace + "$";
    }

    static boolean belongsToDatabase(String mapName, String databaseName) {
        return mapName.startsWith(DATA + databaseName + ".") || mapName.startsWith(META + databaseName + ".")
                || mapName.startsWith(INDEX + databaseName + ".");
    }

    /** The database whose documents a map holds, if it is a data map of this format. */
    static Optional<String> databaseOfDataMap(String mapName) {
        if (!mapName.startsWith(DATA)) {
            return Optional.empty();
        }
        String namespace = mapName.substring(DATA.length());
        int dot = namespace.indexOf('.');
        return dot > 0 ? Optional.of(namespace.substring(0, dot)) : Optional.empty();
    }

    static boolean anyOfThisFormat(Collection<String> mapNames) {
        return mapNames.stream().anyMatch(name -> name.startsWith(PREFIX));
    }

    static boolean anyLegacy(Collection<String> mapNames) {
        return mapNames.stream().anyMatch(name -> name.startsWith(LEGACY_DATA));
    }
}
