package org.iomtpq.gateway.chain;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import org.iomtpq.gateway.config.GatewaySettings;

/**
 * Where the key registry lives and how carefully the gateway waits for it.
 *
 * @param rpcUrl          JSON-RPC endpoint of an Ethereum node
 * @param registryAddress the registry contract, 0x + 40 lowercase hex; null before it is deployed
 * @param chainId         the chain the gateway signs for (EIP-155); a node on another chain is refused
 * @param confirmations   blocks a transaction must be deep (the mined block counts as 1) before its outcome counts
 * @param pollInterval    how often receipts and events are polled
 */
public record ChainSettings(String rpcUrl, String registryAddress, long chainId, int confirmations, Duration pollInterval) {

    public ChainSettings {
        Objects.requireNonNull(rpcUrl, "rpcUrl");
        if (rpcUrl.isBlank()) {
            throw new IllegalArgumentException("iomt.eth.rpc-url is empty");
        }
        if (registryAddress != null) {
            if (registryAddress.isBlank()) {
                registryAddress = null;
            } else if (!registryAddress.matches("0x[0-9a-fA-F]{40}")) {
                throw new IllegalArgumentException("iomt.registry.address must be 0x followed by 40 hex digits, got '"
                        + registryAddress + "'");
            } else {
                registryAddress = registryAddress.toLowerCase(Locale.ROOT);
            }
        }
        if (chainId <= 0) {
            throw new IllegalArgumentException("iomt.chain-id must be positive, got " + chainId);
        }
        if (confirmations < 1) {
            throw new IllegalArgumentException("iomt.eth.confirmations must be at least 1 (the mined block itself), got "
                    + confirmations);
        }
        Objects.requireNonNull(pollInterval, "pollInterval");
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("iomt.eth.poll-ms must be positive");
        }
    }

    /** Reads iomt.eth.rpc-url, iomt.registry.address, iomt.chain-id, iomt.eth.confirmations, iomt.eth.poll-ms. */
    public static ChainSettings from(GatewaySettings s) {
        String rpcUrl = s.isSet("iomt.eth.rpc-url") ? s.get("iomt.eth.rpc-url") : "http://127.0.0.1:8545";
        String registry = s.isSet("iomt.registry.address") ? s.get("iomt.registry.address") : null;
        long chainId = s.isSet("iomt.chain-id") ? s.getLong("iomt.chain-id") : 31337;
        int confirmations = s.isSet("iomt.eth.confirmations") ? s.getInt("iomt.eth.confirmations") : 1;
        long pollMs = s.isSet("iomt.eth.poll-ms") ? s.getLong("iomt.eth.poll-ms") : 250;
        return new ChainSettings(rpcUrl, registry, chainId, confirmations, Duration.ofMillis(pollMs));
    }

    /** The same chain with the registry at {@code address} (after a deployment). */
    public ChainSettings withRegistry(String address) {
        return new ChainSettings(rpcUrl, address, chainId, confirmations, pollInterval);
    }

    /** The registry address, or a clear failure when none is configured yet. */
    public String requireRegistry() {
        if (registryAddress == null) {
            throw new IllegalStateException("iomt.registry.address (IOMT_REGISTRY_ADDRESS) is not set: "
                    + "deploy the registry first (./iomt deploy-registry)");
        }
        return registryAddress;
    }

    /** True when the node is on this machine (loopback host), where dev chains run. */
    public boolean isLoopback() {
        try {
            String host = URI.create(rpcUrl).getHost();
            return host != null && (host.equals("127.0.0.1") || host.equalsIgnoreCase("localhost")
                    || host.equals("[::1]") || host.equals("::1"));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
