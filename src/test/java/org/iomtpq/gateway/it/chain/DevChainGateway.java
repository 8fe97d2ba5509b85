package org.iomtpq.gateway.it.chain;

import java.nio.file.Path;

import org.iomtpq.gateway.chain.RegistryClient;
import org.iomtpq.gateway.it.GatewayFixture;
import org.iomtpq.gateway.testsupport.EthNode;

/**
 * The plain chain-mode rig: a local node, a registry that authorizes the gateway of {@code dataDir} as the dev account
 * #0 (its empty private key on a loopback dev chain), that gateway, and a read-only view of the registry.
 */
record DevChainGateway(EthNode node, GatewayFixture gw, RegistryClient reader) implements AutoCloseable {

    static DevChainGateway start(EthNode.Kind kind, Path dataDir) {
        EthNode node = EthNode.start(kind);
        GatewayFixture gw = null;
        try {
            String registry = ChainRig.deployForDevGateway(node, dataDir);
            gw = GatewayFixture.start(dataDir, ChainRig.gatewaySettings(node.rpcUrl(), node.chainId(), registry, ""));
            return new DevChainGateway(node, gw, ChainRig.reader(node.rpcUrl(), registry, node.chainId()));
        } catch (RuntimeException | Error e) {
            ChainRig.closeAll(gw, node);
            throw e;
        }
    }

    @Override
    public void close() {
        ChainRig.closeAll(reader, gw, node);
    }
}
