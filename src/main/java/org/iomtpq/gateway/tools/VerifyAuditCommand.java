package org.iomtpq.gateway.tools;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.iomtpq.gateway.audit.AuditVerifier;
import org.iomtpq.gateway.audit.AuditVerifier.Anchor;
import org.iomtpq.gateway.audit.AuditVerifier.Kind;
import org.iomtpq.gateway.audit.AuditVerifier.Problem;
import org.iomtpq.gateway.audit.AuditVerifier.Report;
import org.iomtpq.gateway.chain.ChainSettings;
import org.iomtpq.gateway.cli.CommandFailure;
import org.iomtpq.gateway.cli.CommandLine;
import org.iomtpq.gateway.cli.UsageException;
import org.iomtpq.gateway.cli.ValueKind;
import org.iomtpq.gateway.config.GatewaySettings;
import org.iomtpq.gateway.embedded.EmbeddedMongo;
import org.iomtpq.gateway.embedded.EmbeddedStartException;

/**
 * {@code ./iomt verify-audit [--mongo URI [--database D]] [--api URL [--token T]] [--stream S] [--rpc URL]
 * [--registry 0x..]}: verifies audit streams (PROTOCOL.md §10) against their hash chain and, with a registry, the
 * Merkle roots anchored on chain, and prints one line per stream. Exit 0: all intact; 1: tampering found; 2: usage
 * or connection problem. Without --mongo/--api it reads {@code iomt.mongo.uri}, or else the embedded store in the
 * data directory (only while no gateway holds it). Without --registry, anchors are read only when
 * {@code iomt.registry.mode=chain}, from {@code iomt.eth.rpc-url} and {@code iomt.registry.address}.
 */
public final class VerifyAuditCommand {

    static final CommandLine OPTIONS = CommandLine.command("verify-audit", """
                    verify the audit streams (hash chain and on-chain Merkle anchors), one line per stream; exit 0 intact,
                    1 tampering found, 2 usage or connection error""")
            .synopsis("[--mongo URI [--database NAME] | --api URL [--token T]] [--stream S] [--rpc URL] [--registry 0xADDR]")
            .option("mongo", "URI", ValueKind.mongoUri(), "read the store directly (default iomt.mongo.uri, else the"
                    + " embedded store in the data directory while no gateway holds it)")
            .option("database", "NAME", ValueKind.text(), "its database (default iomt.mongo.database, iomt)")
            .option("api", "URL", ValueKind.apiUrl(), "read through a gateway's API: http(s)://HOST:PORT, with or without /api/v1")
            .option("token", "T", ValueKind.text(), "for --api: an auditor or operator token (default IOMT_AUDITOR_TOKEN,"
                    + " IOMT_OPERATOR_TOKEN)")
            .option("stream", "S", ValueKind.text(), "only this stream (with --api default: the answering gateway's own)")
            .option("rpc", "URL", ValueKind.httpUrl(), "the chain's JSON-RPC endpoint (default iomt.eth.rpc-url)")
            .option("registry", "0xADDR", ValueKind.matching("0x followed by 40 hex digits", "0x[0-9a-fA-F]{40}"),
                    "check the anchors in this registry (default: iomt.registry.address with iomt.registry.mode=chain)");

    private final PrintStream out;
    private final PrintStream err;

    public VerifyAuditCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public int run(String[] args) {
        return OPTIONS.run(args, out, err, a -> verify(a.asMap(), GatewaySettings.fromEnvironment(Map.of())));
    }

    public int run(String[] args, GatewaySettings settings) {
        return OPTIONS.run(args, out, err, a -> verify(a.asMap(), settings));
    }

    private int verify(Map<String, String> opts, GatewaySettings settings) {
        if (opts.containsKey("mongo") && opts.containsKey("api")) {
            throw new UsageException("give either --mongo or --api, not both");
        }
        EmbeddedMongo embedded = null;
        try {
            AnchorSetup chain = anchorSetup(opts, settings);
            AuditSource source;
            if (opts.containsKey("api")) {
                String token = firstSet(opts.get("token"), settings.getOrEmpty("iomt.auditor-token"),
                        settings.getOrEmpty("iomt.operator-token"));
                if (token == null) {
                    throw new UsageException("--api needs --token (or IOMT_AUDITOR_TOKEN / IOMT_OPERATOR_TOKEN)");
                }
                source = new ApiAuditSource(opts.get("api"), token);
            } else {
                String uri = firstSet(opts.get("mongo"), settings.getOrEmpty("iomt.mongo.uri"));
                if (uri == null) {
                    Path store = settings.dataDir().resolve("mongo").resolve("iomt.mv.db");
                    if (!Files.exists(store)) {
                        throw new UsageException("no --mongo, --api or iomt.mongo.uri, and no embedded store at " + store);
                    }
                    embedded = EmbeddedMongo.start(settings.dataDir(), "127.0.0.1", 0);
                    uri = embedded.connectionString();
                }
                source = new MongoAuditSource(uri, firstSet(opts.get("database"),
                        settings.getOrEmpty("iomt.mongo.database"), "iomt"));
            }
            try (source; ChainAnchorSource anchors = chain.open()) {
                return verifyAll(source, anchors, opts.get("stream"));
            }
        } catch (AuditSource.SourceException e) {
            throw new CommandFailure(e.getMessage(), CommandFailure.FIX_AND_RETRY, e);
        } catch (EmbeddedStartException e) {
            throw new CommandFailure("cannot open the embedded store (" + e.getMessage() + "); while a gateway runs on"
                    + " it, use --api URL --token T", CommandFailure.FIX_AND_RETRY, e);
        } finally {
            if (embedded != null) {
                embedded.close();
            }
        }
    }

    private int verifyAll(AuditSource source, ChainAnchorSource chain, String only) {
        out.println("verifying audit streams from " + source.describe() + "; anchors: "
                + (chain == null ? "not checked (no registry: give --registry, or run with iomt.registry.mode=chain)"
                : chain.describe()));
        List<String> streams = source.streams(only);
        int tampered = 0;
        for (String stream : streams) {
            AuditSource.Loaded loaded = source.read(stream);
            List<Anchor> anchors = chain == null ? List.of() : chain.anchors(stream);
            Report report = verify(stream, loaded, anchors);
            if (report.intact()) {
                out.println("stream " + stream + ": " + report.describe());
            } else {
                tampered++;
                out.println(report.describe());
            }
        }
        if (streams.isEmpty()) {
            out.println("no audit streams found");
        }
        out.println(tampered == 0 ? "all " + streams.size() + " stream(s) intact"
                : "TAMPERING FOUND in " + tampered + " of " + streams.size() + " stream(s)");
        return tampered == 0 ? 0 : 1;
    }

    /**
     * An unreadable stored entry ends what can be verified: the entries before it are still checked first (with the
     * anchors that lie before it), so an earlier problem keeps precedence, as in {@link AuditVerifier}.
     */
    static Report verify(String stream, AuditSource.Loaded loaded, List<Anchor> anchors) {
        if (loaded.unreadableSeq() == 0) {
            return AuditVerifier.verify(stream, loaded.entries(), anchors);
        }
        List<Anchor> before = anchors.stream().filter(a -> a.lastSeq() < loaded.unreadableSeq()).toList();
        Report prefix = AuditVerifier.verify(stream, loaded.entries(), before);
        if (!prefix.intact()) {
            return prefix;
        }
        return new Report(stream, loaded.entries().size(), prefix.anchorsVerified(), prefix.lastAnchoredSeq(),
                new Problem(Kind.MODIFIED, loaded.unreadableSeq(),
                        "the stored entry is not a well-formed audit entry: " + loaded.unreadableWhy()));
    }

    private record AnchorSetup(String rpcUrl, String registry) {
        ChainAnchorSource open() {
            return registry == null ? null : new ChainAnchorSource(rpcUrl, registry);
        }
    }

    private static AnchorSetup anchorSetup(Map<String, String> opts, GatewaySettings settings) {
        boolean chainMode = "chain".equals(settings.getOrEmpty("iomt.registry.mode").trim());
        String registry = firstSet(opts.get("registry"), chainMode ? settings.getOrEmpty("iomt.registry.address") : null);
        if (registry == null) {
            if (opts.containsKey("rpc")) {
                throw new UsageException("--rpc needs --registry 0xADDRESS");
            }
            return new AnchorSetup(null, null);
        }
        String rpc = firstSet(opts.get("rpc"), settings.getOrEmpty("iomt.eth.rpc-url"));
        // ChainSettings validates the address and the URL the same way the gateway does (from the settings, too).
        ChainSettings checked;
        try {
            checked = new ChainSettings(rpc == null ? "http://127.0.0.1:8545" : rpc, registry, 1, 1,
                    java.time.Duration.ofSeconds(1));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        return new AnchorSetup(checked.rpcUrl(), checked.registryAddress());
    }

    private static String firstSet(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v.trim();
            }
        }
        return null;
    }

}
