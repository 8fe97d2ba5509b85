package org.iomtpq.gateway.tools;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import org.bson.Document;
import org.iomtpq.gateway.startup.GatewayRuntime;
import org.iomtpq.gateway.cli.Arguments;
import org.iomtpq.gateway.cli.CommandLine;
import org.iomtpq.gateway.cli.ValueKind;
import org.iomtpq.gateway.chain.ChainSettings;
import org.iomtpq.gateway.chain.EthAccount;
import org.iomtpq.gateway.chain.LocalEthNode;
import org.iomtpq.gateway.chain.RegistryClient;
import org.iomtpq.gateway.chain.RegistryDeployer;
import org.iomtpq.gateway.config.EphemeralGateway;
import org.iomtpq.gateway.config.GatewaySettings;
import org.iomtpq.gateway.service.GatewayIdentity;
import org.iomtpq.gateway.simulator.HttpDeviceTransport;
import org.iomtpq.gateway.simulator.LatencySummary;
import org.iomtpq.gateway.simulator.SimulatedDevice;
import org.iomtpq.gateway.store.Collections;

/**
 * {@code ./iomt bench-enroll [--devices 1000] [--block-time 2] [--batch-max 100] [--in-flight 8] [--threads 8]}:
 * a fleet enrolled at once on a chain with real block times (issue 9, item 6). Starts Anvil with
 * {@code --block-time}, deploys the registry (owner: dev account 9, so the gateway's account #0 only counts its own
 * transactions), runs the gateway in chain mode in this JVM, enrolls every device over HTTP at once and reports the
 * time until all are ACTIVE, the registration transactions, blocks and gas per device. {@code --batch-max 1
 * --in-flight 1} is the relay as it was before batching (one registerDeviceKey per device, one at a time).
 */
public final class BenchEnrollCommand {

    private static final Duration DEADLINE = Duration.ofHours(2);

    private static final Map<String, Integer> DEFAULTS = Map.of("devices", 1000, "block-time", 2, "batch-max", 100,
            "in-flight", 8, "threads", 8);

    static final CommandLine OPTIONS = CommandLine.command("bench-enroll", """
                    a fleet enrolled at once on Anvil with S-second blocks: time until all ACTIVE, transactions, gas per
                    device (docs/benchmarks.md)""")
            .option("devices", "N", ValueKind.wholeNumber(1), "devices enrolled at once (default 1000)")
            .option("block-time", "S", ValueKind.wholeNumber(1), "Anvil's seconds per block (default 2)")
            .option("batch-max", "B", ValueKind.wholeNumber(1), "registrations per transaction at most (default 100)")
            .option("in-flight", "K", ValueKind.wholeNumber(1), "registration transactions pending at once (default 8)")
            .option("threads", "T", ValueKind.wholeNumber(1), "enrolling threads (default 8)")
            .notes("--batch-max 1 --in-flight 1: one transaction per device, one at a time (the relay before batching)");

    private final PrintStream out;
    private final PrintStream err;

    public BenchEnrollCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public int run(String[] args) {
        return OPTIONS.run(args, out, err, this::enroll);
    }

    private int enroll(Arguments a) throws Exception {
        Map<String, Integer> opts = new HashMap<>();
        DEFAULTS.forEach((name, fallback) -> opts.put(name, a.intValue(name, fallback)));
        Path root = Path.of("").toAbsolutePath();
        AnvilPrerequisite.require(root);
        Path dataDir = Files.createTempDirectory("iomt-bench-enroll");
        try (LocalEthNode anvil = LocalEthNode.start(LocalEthNode.Kind.ANVIL, root, EphemeralGateway.freeLoopbackPort(),
                List.of("--block-time", String.valueOf(opts.get("block-time"))))) {
            return measure(anvil, dataDir, opts);
        } finally {
            EphemeralGateway.deleteTree(dataDir);
        }
    }

    private int measure(LocalEthNode anvil, Path dataDir, Map<String, Integer> opts) throws Exception {
        int devices = opts.get("devices");
        EphemeralGateway ephemeral = EphemeralGateway.in(dataDir);
        Map<String, String> overrides = ephemeral.overrides();
        GatewaySettings plain = GatewaySettings.fromEnvironment(overrides);
        byte[] kemKeyHash = GatewayIdentity.loadOrCreate(dataDir, plain.gatewayId(), new SecureRandom())
                .keyPair().publicKey().keccak256();
        ChainSettings chain = new ChainSettings(anvil.rpcUrl(), null, anvil.chainId(), 1, Duration.ofMillis(250));
        String registry;
        String gatewayAccount = EthAccount.of(anvil.kind().devAccount(0)).address();
        try (RegistryClient owner = new RegistryClient(chain, EthAccount.of(anvil.kind().devAccount(9)))) {
            registry = RegistryDeployer.deployAndAuthorize(owner,
                    List.of(new RegistryDeployer.GatewayAuthorization(gatewayAccount, kemKeyHash))).address();
        }
        overrides.putAll(Map.of("iomt.registry.mode", "chain", "iomt.eth.rpc-url", anvil.rpcUrl(),
                "iomt.registry.address", registry, "iomt.chain-id", String.valueOf(anvil.chainId()),
                "iomt.eth.private-key", "", "iomt.audit.anchor-interval-ms", "3600000",
                "iomt.outbox.register-batch-max", String.valueOf(opts.get("batch-max")),
                "iomt.outbox.max-in-flight", String.valueOf(opts.get("in-flight"))));
        SecureRandom random = new SecureRandom();
        GatewaySettings settings = GatewaySettings.fromEnvironment(overrides);
        String database = settings.get("iomt.mongo.database");
        try (GatewayRuntime gateway = GatewayRuntime.start(settings);
             HttpDeviceTransport http = new HttpDeviceTransport(gateway.httpBaseUrl(), ephemeral.operatorToken());
             MongoClient mongo = MongoClients.create(gateway.mongoUri());
             RegistryClient reader = new RegistryClient(chain.withRegistry(registry), EthAccount.fromPrivateKey("0x" + "11".repeat(32)))) {
            List<SimulatedDevice> fleet = IntStream.range(0, devices).mapToObj(i -> SimulatedDevice.generate(
                    String.format("FLEET_%05d", i), "pulse-oximeter", http, random)).toList();
            MongoCollection<Document> deviceKeys = mongo.getDatabase(database)
                    .getCollection(Collections.DEVICE_KEYS);
            long startBlock = reader.blockNumber();
            long t0 = System.nanoTime();
            Answers answers = enrollAll(fleet, opts.get("threads"));
            double enrolledSeconds = (System.nanoTime() - t0) / 1e9;
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            long active = 0;
            while (active < devices && System.nanoTime() < deadline) {
                Thread.sleep(200);
                active = deviceKeys.countDocuments(Filters.eq("status", "ACTIVE"));
            }
            double activeSeconds = (System.nanoTime() - t0) / 1e9;
            if (active < devices) {
                err.println("only " + active + " of " + devices + " ACTIVE after " + DEADLINE);
                return 1;
            }
            // The log consumer may make a device ACTIVE before the relay has collected the receipt: wait for the relay.
            MongoCollection<Document> outbox = mongo.getDatabase(database).getCollection(Collections.OUTBOX);
            while (outbox.countDocuments(Filters.and(Filters.in("op", "REGISTER", "REGISTER_BATCH"),
                    Filters.in("status", "PENDING", "SIGNED"))) > 0 && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            List<Document> txs = new ArrayList<>();
            outbox
                    .find(Filters.and(Filters.in("op", "REGISTER", "REGISTER_BATCH"), Filters.ne("rawTx", null),
                            Filters.eq("status", "CONFIRMED"))).into(txs);
            long gas = 0;
            for (Document tx : txs) {
                gas += reader.web3j().ethGetTransactionReceipt(tx.getString("txHash")).send().getTransactionReceipt()
                        .orElseThrow().getGasUsed().longValueExact();
            }
            long blocks = reader.blockNumber() - startBlock;
            out.printf("| devices | block time | batch max | in flight | enrollments answered | answer p50 / p99 | "
                    + "answers naming txHash | all ACTIVE after | transactions | blocks elapsed | gas per device |%n"
                    + "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|%n");
            out.printf("| %,d | %d s | %d | %d | %.1f s | %.0f / %.0f ms | %,d | %.1f s | %,d | %,d | %,d |%n", devices,
                    opts.get("block-time"), opts.get("batch-max"), opts.get("in-flight"), enrolledSeconds,
                    answers.latency().p50Ms(), answers.latency().p99Ms(), answers.namingTxHash(), activeSeconds,
                    txs.size(), blocks, gas / devices);
            return 0;
        }
    }

    /** How long the enrollment answers took, and how many named their transaction (PROTOCOL.md §4). */
    private record Answers(LatencySummary latency, long namingTxHash) {
    }

    private record Answer(double millis, boolean namesTxHash) {
    }

    private static Answers enrollAll(List<SimulatedDevice> fleet, int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Answer>> answers = new ArrayList<>();
            fleet.forEach(d -> answers.add(pool.submit(() -> {
                long start = System.nanoTime();
                boolean named = d.enroll().txHash() != null;
                return new Answer((System.nanoTime() - start) / 1e6, named);
            })));
            double[] millis = new double[answers.size()];
            long named = 0;
            for (int i = 0; i < millis.length; i++) {
                Answer answer = answers.get(i).get();
                millis[i] = answer.millis();
                named += answer.namesTxHash() ? 1 : 0;
            }
            return new Answers(LatencySummary.of(millis), named);
        } finally {
            pool.shutdownNow();
        }
    }
}
