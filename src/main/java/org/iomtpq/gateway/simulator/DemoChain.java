package org.iomtpq.gateway.simulator;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.iomtpq.gateway.chain.ChainSettings;
import org.iomtpq.gateway.chain.EthAccount;
import org.iomtpq.gateway.chain.GatewayKey;
import org.iomtpq.gateway.chain.LocalEthNode;
import org.iomtpq.gateway.chain.RegistryClient;
import org.iomtpq.gateway.chain.RegistryDeployer;
import org.iomtpq.gateway.config.GatewaySettings;
import org.iomtpq.gateway.protocol.GatewayRecord;
import org.iomtpq.gateway.protocol.Hex0x;
import org.iomtpq.gateway.service.GatewayIdentity;

/**
 * The demo's chain: the registry deployed on a local Anvil by its dev account #0, which is also the gateway's account
 * (embedded profile), authorized with the keccak256 of the gateway's ML-KEM key from the demo's data directory.
 */
record DemoChain(String rpcUrl, long chainId, String registry, String deployTx, String authorizeTx, String gatewayAccount) {

    static DemoChain deploy(LocalEthNode node, Path dataDir, Map<String, String> overrides) {
        GatewaySettings settings = GatewaySettings.fromEnvironment(overrides);
        GatewayIdentity identity = GatewayIdentity.loadOrCreate(dataDir, settings.gatewayId(), new SecureRandom());
        ChainSettings chain = new ChainSettings(node.rpcUrl(), null, node.chainId(), 1, Duration.ofMillis(250));
        try (RegistryClient owner = new RegistryClient(chain, EthAccount.of(node.kind().devAccount(0)))) {
            RegistryDeployer.Deployment d = RegistryDeployer.deployAndAuthorize(owner, List.of(
                    new RegistryDeployer.GatewayAuthorization(owner.account().address(),
                            identity.keyPair().publicKey().keccak256())));
            return new DemoChain(node.rpcUrl(), node.chainId(), d.address(), d.deployTxHash(),
                    d.authorizationTxHashes().get(0), owner.account().address());
        }
    }

    /** Gateway settings for this chain (the gateway signs with the dev account of the embedded profile). */
    Map<String, String> settings() {
        return Map.of("iomt.registry.mode", "chain", "iomt.eth.rpc-url", rpcUrl, "iomt.registry.address", registry,
                "iomt.chain-id", String.valueOf(chainId));
    }

    /** What a device does before its first handshake (PROTOCOL.md §5): the record's key hash is authorized on chain. */
    boolean verifyGatewayKey(GatewayRecord record) {
        ChainSettings chain = new ChainSettings(rpcUrl, registry, chainId, 1, Duration.ofMillis(250));
        try (RegistryClient reader = new RegistryClient(chain, EthAccount.fromPrivateKey(
                "0x" + "11".repeat(32)))) {
            GatewayKey key = reader.gatewayKey(record.gatewayAddress());
            return key.authorized() && Hex0x.encode(key.kemKeyHash()).equals(record.kemKeyHash()) && record.kemKeyHashMatches();
        }
    }
}
