package org.iomtpq.gateway.tools;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import org.iomtpq.gateway.cli.CommandLine;
import org.iomtpq.gateway.config.DataDirLock;
import org.iomtpq.gateway.config.GatewaySettings;
import org.iomtpq.gateway.config.ListenPorts;
import org.iomtpq.gateway.config.StartupException;
import org.iomtpq.gateway.config.StopSignal;
import org.iomtpq.gateway.embedded.EmbeddedMongo;
import org.iomtpq.gateway.embedded.EmbeddedStartException;

/**
 * {@code ./iomt store}: the embedded MongoDB (mongo-java-server, one H2 file) as a process of its own, so that several
 * {@code ./iomt gateway} processes on one machine share it through {@code IOMT_MONGO_URI} exactly as they would share
 * a replica set. For development and tests: no replication, no transactions, no change streams (README, "Running
 * several instances"). Configured by {@code iomt.store.*} ({@code IOMT_STORE_PORT}, {@code _HOST}, {@code _DATA_DIR}).
 */
public final class StoreCommand {

    static final CommandLine OPTIONS = CommandLine.command("store",
                    "run the embedded MongoDB (H2 file) as its own process, for several gateways on one machine")
            .takesNoOptions("the store is configured by IOMT_STORE_PORT, IOMT_STORE_HOST and IOMT_STORE_DATA_DIR")
            .notes("configuration: iomt.store.* in config/application.properties (IOMT_STORE_PORT, IOMT_STORE_HOST,"
                    + " IOMT_STORE_DATA_DIR); the gateways then take IOMT_MONGO_URI=mongodb://HOST:PORT");

    private final PrintStream out;
    private final PrintStream err;

    public StoreCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public int run(String[] args) {
        return OPTIONS.run(args, out, err, a -> serve(GatewaySettings.fromEnvironment(Map.of())));
    }

    private int serve(GatewaySettings settings) throws InterruptedException {
        StopSignal stop = StopSignal.install();
        Path dir = Path.of(settings.get("iomt.store.data-dir"));
        String host = settings.get("iomt.store.host");
        int port = settings.getPort("iomt.store.port");
        ListenPorts.requireFree("the store", host, port, "IOMT_STORE_PORT / IOMT_STORE_HOST");
        try (DataDirLock lock = DataDirLock.acquire(dir, "IOMT_STORE_DATA_DIR", Duration.ofSeconds(settings.getLong("iomt.instance.lease-ttl-seconds")),
                Clock.systemUTC(), err::println);
             EmbeddedMongo store = open(dir, host, port)) {
            out.printf("iomt store: serving %s on %s:%d — give the gateways IOMT_MONGO_URI=mongodb://%s:%d (Ctrl-C or"
                    + " SIGTERM stops it)%n", dir.toAbsolutePath().normalize().resolve("mongo"), host, store.port(), host, store.port());
            out.flush();
            stop.await();
            out.println("iomt store: stopping (writing the H2 file)");
        }
        return 0;
    }

    private static EmbeddedMongo open(Path dir, String host, int port) {
        try {
            return EmbeddedMongo.start(dir, host, port);
        } catch (EmbeddedStartException e) {
            throw new StartupException(e.getMessage() + ": check IOMT_STORE_DATA_DIR and IOMT_STORE_PORT", e);
        }
    }
}
