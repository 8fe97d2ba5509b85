package org.iomtpq.gateway.embedded;

import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;
import java.util.Locale;
import java.util.Set;
import org.h2.mvstore.MVStore;

/**
 * H2Backend only writes to its file on MVStore's background auto-commit (about once a second), so a crash could lose
 * writes the driver already saw acknowledged. The gateway answers "stored" only after an acknowledged write, hence:
 * commit the store before answering any write command. This class, as it is, serves a store of the
 * {@link StoreFormat#LEGACY} format; {@link BsonH2Backend} adds the BSON format's databases.
 */
class CommitOnWriteH2Backend extends H2Backend {

    private static final Set<String> WRITE_COMMANDS = Set.of("insert", "update", "delete",
            "findandmodify", "createindexes", "dropindexes", "drop", "dropdatabase", "create",
            "renamecollection");

    CommitOnWriteH2Backend(MVStore mvStore) {
        super(mvStore);
    }

    @Override
    public Document handleCommand(Channel channel, String databaseName, String command, Document query) {
        Document answer = super.handleCommand(channel, databaseName, command, query);
        if (WRITE_COMMANDS.contains(command.toLowerCase(Locale.ROOT))) {
            commit();
        }
        return answer;
    }
}
