package org.iomtpq.gateway.testsupport;

import java.io.File;
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
import java.util.concurrent.TimeUnit;
import org.web3j.crypto.Bip32ECKeyPair;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.MnemonicUtils;

/**
 * A real local Ethereum dev chain (Anvil or Ganache, installed by {@code npm ci} into the repository's
 * node_modules) on a free loopback port. The process is killed on {@link #close()}.
 */
public final class EthNode implements AutoCloseable {

    /** The two dev chains the project tests against, with their chain ids and dev mnemonics. */
    public enum Kind {
        /** Foundry's Anvil: its fixed default mnemonic gives account #0 0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80. */
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

        /** The dev account {@code index} (BIP-44 path m/44'/60'/0'/0/index of the node's mnemonic): funded at start. */
        public Credentials devAccount(int index) {
            int hardened = Bip32ECKeyPair.HARDENED_BIT;
            Bip32ECKeyPair master = Bip32ECKeyPair.generateKeyPair(MnemonicUtils.generateSeed(mnemonic, ""));
            int[] path = {44 | hardened, 60 | hardened, hardened, 0, index};
            return Credentials.create(Bip32ECKeyPair.deriveKeyPair(master, path));
        }
    }

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Kind kind;
    private final Process process;
    private final Path logFile;
    private final int port;

    private EthNode(Kind kind, Process process, Path logFile, int port) {
        this.kind = kind;
        this.process = process;
        this.logFile = logFile;
        this.port = port;
    }

    /**
     * The node's executable in node_modules; SKIPS the calling test when it is missing (or, for Ganache,
     * when node is not on the PATH), or FAILS it when system packages are required (system property
     * {@code iomt.requireSystemPackages} or env {@code IOMT_REQUIRE_SYSTEM_PACKAGES} = true, as in CI).
     */
    public static Path requireOrSkip(Kind kind) {
        Path executable = repoRoot().resolve(kind.executable);
        String missing = null;
        if (!Files.isExecutable(executable)) {
            missing = executable + " missing: run npm ci at the repository root";
        } else if (kind == Kind.GANACHE && !onPath("node")) {
            missing = "node not on the PATH: Ganache needs Node.js 20+";
        }
        SystemPackages.requireOrSkip(missing);
        return executable;
    }

    /** Starts a node of that kind (or skips/fails as {@link #requireOrSkip} decides) and waits until it answers eth_chainId. */
    public static EthNode start(Kind kind) {
        Path executable = requireOrSkip(kind);
        int port = FreePorts.loopback();
        List<String> command = new ArrayList<>(List.of(executable.toString()));
        if (kind == Kind.ANVIL) {
            command.addAll(List.of("--host", "127.0.0.1", "--port", Integer.toString(port),
                    "--chain-id", Long.toString(kind.chainId), "--silent"));
        } else {
            command.addAll(List.of("--server.host", "127.0.0.1", "--server.port", Integer.toString(port),
                    "--chain.chainId", Long.toString(kind.chainId), "--wallet.deterministic", "--logging.quiet"));
        }
        try {
            Path logFile = Files.createTempFile("ethnode-" + kind.name().toLowerCase(), ".log");
            // Output goes to a file: an unread pipe would fill up and block the node.
            Process process = new ProcessBuilder(command).directory(repoRoot().toFile())
                    .redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
            EthNode node = new EthNode(kind, process, logFile, port);
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

    public String rpcUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** One JSON-RPC call with a raw JSON params array; returns the whole response body. */
    public String rpc(String method, String paramsJson) throws IOException, InterruptedException {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":" + paramsJson + "}";
        HttpRequest request = HttpRequest.newBuilder(URI.create(rpcUrl())).timeout(Duration.ofSeconds(5))
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
        // Ganache may run its CLI through a child node process: end descendants too, children first.
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

    /** The repository root: Maven's basedir when set (surefire/failsafe), else the working directory. */
    public static Path repoRoot() {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
    }


    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
