package org.iomtpq.gateway.service;

import java.security.SecureRandom;

import org.iomtpq.gateway.chain.ChainRevertException;
import org.iomtpq.gateway.chain.ChainSettings;
import org.iomtpq.gateway.chain.ChainUnavailableException;
import org.iomtpq.gateway.chain.GatewayKey;
import org.iomtpq.gateway.chain.RegistryClient;
import org.iomtpq.gateway.config.GatewaySettings;
import org.iomtpq.gateway.config.StartupException;
import org.iomtpq.gateway.protocol.GatewayRecord;
import org.iomtpq.gateway.protocol.Hex0x;

/**
 * Refuses to start a gateway that every device would refuse (issue 10): a device checks
 * {@code gatewayKey(gatewayAddress) == (kemKeyHash, true)} on its provisioned registry before its first handshake
 * (PROTOCOL.md §5, MUST), so a gateway whose key the registry does not authorize would run, log nothing and serve
 * no one. Also refuses a registry address without chain mode and chain mode without an address, either of which
 * silently runs something other than what the operator configured. Every refusal is one {@link StartupException}
 * line that says what to run or change.
 */
public final class ChainStartupCheck {

    /** What the check reads from the node; the gateway's {@link RegistryClient}, a stub in unit tests. */
    public interface RegistryView {
        /** eth_chainId; {@link ChainUnavailableException} when the node does not answer. */
        long chainId();

        /** eth_getCode(address) is not empty. */
        boolean hasCode(String address);

        /** The registry's {@code gatewayKey(gateway)}; reverts or undecodable answers when it is no registry. */
        GatewayKey gatewayKey(String gateway);
    }

    private ChainStartupCheck() {
    }

    /**
     * The gateway's registry client in chain mode, with the node, the registry and this gateway's authorization
     * checked; null without a chain.
     *
     * @throws StartupException when a device could not verify this gateway, or the settings contradict each other
     */
    public static RegistryClient connect(GatewaySettings settings) {
        if (!chainMode(settings)) {
            return null;
        }
        RegistryClient registry;
        try {
            registry = RegistryClient.fromSettings(settings);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new StartupException("chain mode: " + e.getMessage());
        }
        try {
            // The record devices fetch (§3), built as the running gateway builds it: the check reads the very address
            // and key hash they will look up. The identity is the one GatewayComponents loads from the same directory.
            GatewayIdentity identity = GatewayIdentity.loadOrCreate(settings.dataDir(), settings.gatewayId(), new SecureRandom());
            GatewayRecord record = new GatewayInfo(identity, RegistryMode.CHAIN, registry.account().address()).record();
            check(registry.settings(), registryView(registry), record, settings.dataDir().toString());
            return registry;
        } catch (RuntimeException e) {
            registry.close();
            throw e;
        }
    }

    /**
     * True for chain mode with a registry address, false for no chain without one.
     *
     * @throws StartupException for an address without chain mode, or chain mode without an address
     */
    public static boolean chainMode(GatewaySettings settings) {
        RegistryMode mode;
        try {
            mode = RegistryMode.parse(settings.get("iomt.registry.mode"));
        } catch (IllegalStateException e) {
            throw new StartupException(e.getMessage() + " (IOMT_REGISTRY_MODE)");
        }
        boolean hasAddress = settings.isSet("iomt.registry.address");
        if (mode == RegistryMode.NONE && hasAddress) {
            throw new StartupException("iomt.registry.address (IOMT_REGISTRY_ADDRESS) is " + settings.get("iomt.registry.address")
                    + " but iomt.registry.mode (IOMT_REGISTRY_MODE) is none, which ignores it and runs without a chain: "
                    + "set IOMT_REGISTRY_MODE=chain to use that registry, or unset IOMT_REGISTRY_ADDRESS");
        }
        if (mode == RegistryMode.CHAIN && !hasAddress) {
            throw new StartupException("iomt.registry.mode (IOMT_REGISTRY_MODE) is chain but iomt.registry.address "
                    + "(IOMT_REGISTRY_ADDRESS) is not set: run ./iomt deploy-registry and export the IOMT_REGISTRY_ADDRESS it "
                    + "prints, or set IOMT_REGISTRY_MODE=none to run without a chain");
        }
        return mode == RegistryMode.CHAIN;
    }

    /**
     * The node is on the configured chain, a contract lives at the registry address, and it authorizes the record's
     * address with the record's key hash.
     */
    static void check(ChainSettings chain, RegistryView node, GatewayRecord record, String dataDir) {
        String registry = chain.requireRegistry();
        long chainId;
        try {
            chainId = node.chainId();
        } catch (ChainUnavailableException e) {
            throw new StartupException("chain mode: the Ethereum node at " + chain.rpcUrl() + " does not answer ("
                    + e.getMessage() + "): start it, or point IOMT_ETH_RPC_URL at the registry's chain");
        }
        if (chainId != chain.chainId()) {
            throw new StartupException("chain mode: the Ethereum node at " + chain.rpcUrl() + " is on chain " + chainId
                    + " but iomt.chain-id (IOMT_CHAIN_ID) is " + chain.chainId() + ": point IOMT_ETH_RPC_URL at chain "
                    + chain.chainId() + ", or set IOMT_CHAIN_ID=" + chainId + " if that is the chain the devices are provisioned with");
        }
        String where = "the registry " + registry + " on chain " + chainId;
        GatewayKey key;
        try {
            if (!node.hasCode(registry)) {
                throw new StartupException("chain mode: no contract at " + registry + " on chain " + chainId + " ("
                        + chain.rpcUrl() + "; a dev chain restarted without its state forgets its contracts): run ./iomt "
                        + "deploy-registry and export the IOMT_REGISTRY_ADDRESS it prints");
            }
            key = node.gatewayKey(record.gatewayAddress());
        } catch (ChainUnavailableException e) {
            throw new StartupException("chain mode: the Ethereum node at " + chain.rpcUrl() + " stopped answering while "
                    + "reading " + where + " (" + e.getMessage() + "): start the gateway again when it answers");
        } catch (ChainRevertException | IllegalStateException e) {
            throw new StartupException("chain mode: the contract at " + registry + " on chain " + chainId
                    + " is not a PostQuantumKeyRegistry (gatewayKey: " + e.getMessage() + "): point IOMT_REGISTRY_ADDRESS "
                    + "at the registry the devices are provisioned with");
        }
        String ownHash = record.kemKeyHash();
        if (key.authorized() && ownHash.equals(Hex0x.encode(key.kemKeyHash()))) {
            return;
        }
        String seen = "gatewayKey(" + record.gatewayAddress() + ") = (" + Hex0x.encode(key.kemKeyHash()) + ", "
                + key.authorized() + ")";
        String authorize = "have the registry owner run IOMT_REGISTRY_ADDRESS=" + registry + " ./iomt authorize-gateway "
                + "--authorize " + record.gatewayAddress() + ":" + ownHash;
        if (key.authorized()) {
            throw new StartupException("chain mode: " + where + " authorizes this gateway's account with another ML-KEM key ("
                    + seen + ", this gateway's kemKeyHash is " + ownHash + " from the data directory " + dataDir
                    + "): start with the data directory (IOMT_DATA_DIR) holding the authorized key, or " + authorize);
        }
        throw new StartupException("chain mode: " + where + " does not authorize this gateway's ML-KEM key (" + seen
                + ", this gateway's kemKeyHash is " + ownHash + "): " + authorize
                + ", or point IOMT_REGISTRY_ADDRESS at the registry that authorizes it");
    }

    private static RegistryView registryView(RegistryClient client) {
        return new RegistryView() {
            @Override
            public long chainId() {
                return client.chainId();
            }

            @Override
            public boolean hasCode(String address) {
                return client.hasCode(address);
            }

            @Override
            public GatewayKey gatewayKey(String gateway) {
                return client.gatewayKey(gateway);
            }
        };
    }
}
