package org.iomtpq.gateway.testsupport;

import java.io.IOException;
import java.nio.file.Path;
import org.iomtpq.gateway.chain.LocalEthNode;
import org.web3j.crypto.Credentials;

/**
 * A real local Ethereum dev chain for tests: {@link LocalEthNode} (main code) plus the test policy for missing
 * prerequisites — SKIP the calling test, or FAIL it when system packages are required (CI).
 */
public final class EthNode implements AutoCloseable {

    /** The two dev chains; a test-side name for {@link LocalEthNode.Kind} (kept so tests read "EthNode.Kind.ANVIL"). */
    public enum Kind {
        ANVIL(LocalEthNode.Kind.ANVIL),
        GANACHE(LocalEthNode.Kind.GANACHE);

        private final LocalEthNode.Kind main;

        Kind(LocalEthNode.Kind main) {
            this.main = main;
        }

        public LocalEthNode.Kind main() {
            return main;
        }

        public long chainId() {
            return main.chainId();
        }

        /** The dev account {@code index} of the node's mnemonic: funded at start. */
        public Credentials devAccount(int index) {
            return main.devAccount(index);
        }
    }

    private final Kind kind;
    private final LocalEthNode node;

    private EthNode(Kind kind, LocalEthNode node) {
        this.kind = kind;
        this.node = node;
    }

    /**
     * The node's executable in node_modules; SKIPS the calling test when it is missing (or, for Ganache,
     * when node is not on the PATH), or FAILS it when system packages are required.
     */
    public static Path requireOrSkip(Kind kind) {
        SystemPackages.requireOrSkip(LocalEthNode.missingPrerequisite(kind.main, repoRoot()));
        return kind.main.executable(repoRoot());
    }

    /** Starts a node of that kind (or skips/fails as {@link #requireOrSkip} decides) and waits until it answers. */
    public static EthNode start(Kind kind) {
        requireOrSkip(kind);
        return new EthNode(kind, LocalEthNode.start(kind.main, repoRoot()));
    }

    public Kind kind() {
        return kind;
    }

    public LocalEthNode local() {
        return node;
    }

    public long chainId() {
        return node.chainId();
    }

    public String rpcUrl() {
        return node.rpcUrl();
    }

    /** One JSON-RPC call with a raw JSON params array; returns the whole response body. */
    public String rpc(String method, String paramsJson) throws IOException, InterruptedException {
        return node.rpc(method, paramsJson);
    }

    public String log() {
        return node.log();
    }

    @Override
    public void close() {
        node.close();
    }

    /** The repository root: Maven's basedir when set (surefire/failsafe), else the working directory. */
    public static Path repoRoot() {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
    }
}
