package org.iomtpq.gateway.chain;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.iomtpq.gateway.config.EphemeralGateway;
import org.web3j.crypto.Bip32ECKeyPair;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.MnemonicUtils;

/**
 * A local Ethereum dev chain (Anvil or Ganache from the repository's node_modules, installed by {@code npm ci})
 * on a free loopback port, for the demo, {@code ./iomt gas-report} and the tests. The process dies with {@link #close()}.
 */
public final class LocalEthNode implements AutoCloseable {

    /** The two dev chains the project runs on, with their chain ids and the mnemonics their funded accounts come from. */
    public enum Kind {
        /** Foundry's Anvil: fixed default mnemonic; account #0 is the well-known 0xac0974…ff80 key. */
        ANVIL(31337, "test test test test test test test test test test test junk",
                "node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil"),
        /** Ganache 7 with {@code --wallet.deterministic}, which uses this fixed mnemonic. */
        GANACHE(1337, "myth like bonus scare over problem client lizard pioneer submit female collect",
                "node_modules/.bin/ganache");

        private final long chainId;
        private final String mnemonic;
        private final String executable;

        Kind(long chainId, String mnemonic, String executable) {
            this.chainId = chainId;
            this.mnemonic = mnemonic;
            this.executable = executable;
        }

        public long chainId() {
            return chainId;
        }

        /** Path of the executable below the repository root. */
        public Path executable(Path repoRoot) {
            return repoRoot.resolve(executable);
        }

        /** Dev account {@code index} (BIP-44 m/44'/60'/0'/0/index of the node's mnemonic): funded at start. PUBLIC keys, dev only. */
        public Credentials devAccount(int index) {
            int hardened = Bip32ECKeyPair.HARDENED_BIT;
            Bip32ECKeyPair master = Bip32ECKeyPair.generateKeyPair(MnemonicUtils.generateSeed(mnemonic, ""));
            int[] path = {44 | hardened, 60 | hardened, hardened, 0, index};
            return Credentials.create(Bip32ECKeyPair.deriveKeyPair(master, path));
        }
    }

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Kind kind;
    private final Process process;
    private final Path logFile;
    private final int port;

    private LocalEthNode(Kind kind, Process process, Path logFile, int port) {
        this.kind = kind;
        this.process = process;
        this.logFile = logFile;
        this.port = port;
    }

    /** Why the node cannot start from {@code repoRoot} (executable or node missing), or null when it can. */
    public static String missingPrerequisite(Kind kind, Path repoRoot) {
        Path executable = kind.executable(repoRoot);
        if (!Files.isExecutable(executable)) {
            return executable + " missing: run npm ci at the repository root";
        }
        if (kind == Kind.GANACHE && !onPath("node")) {
            return "node not on the PATH: Ganache needs Node.js 20+";
        }
        return null;
    }

    /** Starts a node on a free loopback port and waits until it answers eth_chainId with its chain id. */
    public static LocalEthNode start(Kind kind, Path repoRoot) {
        return start(kind, repoRoot, EphemeralGateway.freeLoopbackPort(), List.of());
    }

    /**
     * Starts a node on {@code port} with {@code extraArgs} appended to the command line (e.g. Anvil's
     * {@code --state <file>}, so a test can stop the chain and start it again, same port, same state).
     */
    public static LocalEthNode start(Kind kind, Path repoRoot, int port, List<String> extraArgs) {
        String missing = missingPrerequisite(kind, repoRoot);
        if (missing != null) {
            throw new IllegalStateException(missing);
        }
        List<String> command = new ArrayList<>(List.of(kind.executable(repoRoot).toString()));
        if (kind == Kind.ANVIL) {
            command.addAll(List.of("--host", "127.0.0.1", "--port", Integer.toString(port),
                    "--chain-id", Long.toString(kind.chainId), "--silent"));
        } else {
            command.addAll(List.of("--server.host", "127.0.0.1", "--server.port", Integer.toString(port),
                    "--chain.chainId", Long.toString(kind.chainId), "--wallet.deterministic", "--logging.quiet"));
        }
        command.addAll(extraArgs);
        try {
            Path logFile = Files.createTempFile("ethnode-" + kind.name().toLowerCase(Locale.ROOT), ".log");
            // Output goes to a file: an unread pipe would fill up and block the node.
            Process process = new ProcessBuilder(command).directory(repoRoot.toFile())
                    .redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
            LocalEthNode node = new LocalEthNode(kind, process, logFile, port);
            node.awaitRpc();
            return node;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    public Kind kind() {
        return kind;
    }

    public long chainId() {
        return kind.chainId;
    }

    public int port() {
        return port;
    }

    public String rpcUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** One JSON-RPC call with a raw JSON params array (e.g. {@code evm_mine}); returns the whole response body. */
    public String rpc(String method, String paramsJson) throws IOException, InterruptedException {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":" + paramsJson + "}";
        HttpRequest request = HttpRequest.newBuilder(URI.create(rpcUrl())).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)).body();
    }

    private void awaitRpc() {
        String expected = "\"0x" + BigInteger.valueOf(kind.chainId).toString(16) + "\"";
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    String log = log();
                    close();
                    throw new IllegalStateException(kind + " exited with " + process.exitValue() + ":\n" + log);
                }
                try {
                    String answer = rpc("eth_chainId", "[]");
                    if (answer.contains(expected)) {
                        return;
                    }
                    close();
                    throw new IllegalStateException(kind + " answered eth_chainId with " + answer);
                } catch (IOException notYet) {
                    Thread.sleep(100);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String log = log();
        close();
        throw new IllegalStateException(kind + " did not answer JSON-RPC on " + port + " within " + START_TIMEOUT + ":\n" + log);
    }

    /** Whatever the node printed so far (quiet by flag, so mostly crash output). */
    public String log() {
        try {
            return Files.readString(logFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        // Ganache runs its CLI through a child node process: end descendants too, children first.
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        try {
            Files.deleteIfExists(logFile);
        } catch (IOException ignored) {
            // a leftover temp log is harmless
        }
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
