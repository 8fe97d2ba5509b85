package org.iomtpq.gateway.embedded;

/** How the embedded MongoDB's H2 file holds documents and index keys. */
public enum StoreFormat {
    /**
     * mongo-java-server's own H2 maps, as every version before this one wrote them: documents and index keys
     * Java-serialized (index keys serialized again at every comparison). Still read and written when a data
     * directory already holds it.
     */
    LEGACY,
    /** Documents and index keys as BSON, index keys compared as values: the format of every new store. */
    BSON
}
