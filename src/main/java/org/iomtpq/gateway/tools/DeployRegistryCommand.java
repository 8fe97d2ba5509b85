package org.iomtpq.gateway.tools;

import java.io.PrintStream;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.iomtpq.gateway.chain.ChainRevertException;
import org.iomtpq.gateway.chain.ChainSettings;
import org.iomtpq.gateway.chain.ChainUnavailableException;
import org.iomtpq.gateway.chain.RegistryClient;
import org.iomtpq.gateway.chain.RegistryDeployer;
import org.iomtpq.gateway.chain.RegistryDeployer.GatewayAuthorization;
import org.iomtpq.gateway.config.GatewaySettings;
import org.iomtpq.gateway.service.GatewayIdentity;
import org.web3j.utils.Numeric;

/**
 * {@code ./iomt deploy-registry [--authorize 0xADDR:0xKEMKEYHASH ...]}: deploys the registry from the configured
 * account (which becomes its owner) and authorizes gateways; by default this gateway (its account and the keccak256
 * of its ML-KEM public key from the data directory).
 * {@code ./iomt authorize-gateway [--authorize ...]}: the same authorizations on the registry already at
 * {@code IOMT_REGISTRY_ADDRESS}, from its owner's account (what a gateway that refuses to start asks for).
 */
public final class DeployRegistryCommand {

    private final PrintStream out;
    private final PrintStream err;

    public DeployRegistryCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public int run(String[] args) {
        return run(args, GatewaySettings.fromEnvironment(Map.of()));
    }

    public int run(String[] args, GatewaySettings settings) {
        return run("deploy-registry", true, args, settings);
    }

    /** {@code authorize-gateway}: authorizes on the configured registry instead of deploying one. */
    public int authorize(String[] args) {
        return authorize(args, GatewaySettings.fromEnvironment(Map.of()));
    }

    public int authorize(String[] args, GatewaySettings settings) {
        if (!settings.isSet("iomt.registry.address")) {
            err.println("authorize-gateway needs the registry: set IOMT_REGISTRY_ADDRESS (and IOMT_ETH_PRIVATE_KEY of its owner)");
            return 2;
        }
        return run("authorize-gateway", false, args, settings);
    }

    private int run(String command, boolean deployNew, String[] args, GatewaySettings settings) {
        List<GatewayAuthorization> gateways;
        try {
            gateways = parseAuthorizations(args);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            err.println("usage: ./iomt " + command + " [--authorize 0xADDRESS:0xKEMKEYHASH ...]");
            return 2;
        }
        RegistryClient client;
        try {
            client = RegistryClient.fromSettings(settings);
        } catch (IllegalArgumentException | IllegalStateException e) {
            err.println(e.getMessage());
            return 2;
        }
        ChainSettings chain = client.settings();
        String owner = client.account().address();
        if (gateways.isEmpty()) {
            byte[] kemKeyHash = GatewayIdentity.loadOrCreate(settings.dataDir(), settings.gatewayId(), new SecureRandom())
                    .keyPair().publicKey().keccak256();
            gateways = List.of(new GatewayAuthorization(owner, kemKeyHash));
        }
        try (client) {
            if (deployNew) {
                return deploy(client, gateways);
            }
            out.println("authorizing on registry " + chain.registryAddress() + " (chain " + chain.chainId() + " at "
                    + chain.rpcUrl() + ") from " + owner);
            printAuthorizations(gateways, RegistryDeployer.authorize(client, chain.registryAddress(), gateways));
            return 0;
        } catch (ChainUnavailableException | ChainRevertException | IllegalStateException e) {
            err.println(command + " failed: " + e.getMessage());
            return 1;
        }
    }

    private int deploy(RegistryClient client, List<GatewayAuthorization> gateways) {
        ChainSettings chain = client.settings();
        out.println("deploying PostQuantumKeyRegistry to chain " + chain.chainId() + " at " + chain.rpcUrl()
                + " from " + client.account().address());
        RegistryDeployer.Deployment deployment = RegistryDeployer.deployAndAuthorize(client, gateways);
        out.println("registry " + deployment.address() + " (tx " + deployment.deployTxHash() + ")");
        printAuthorizations(gateways, deployment.authorizationTxHashes());
        out.println();
        out.println("export IOMT_REGISTRY_ADDRESS=" + deployment.address());
        return 0;
    }

    private void printAuthorizations(List<GatewayAuthorization> gateways, List<String> txHashes) {
        for (int i = 0; i < gateways.size(); i++) {
            out.println("authorized gateway " + gateways.get(i).address() + " kemKeyHash "
                    + Numeric.toHexString(gateways.get(i).kemKeyHash()) + " (tx " + txHashes.get(i) + ")");
        }
    }

    static List<GatewayAuthorization> parseAuthorizations(String[] args) {
        List<GatewayAuthorization> out = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].equals("--authorize") || i + 1 >= args.length) {
                throw new IllegalArgumentException("unexpected argument " + args[i]);
            }
            String[] parts = args[++i].split(":", -1);
            if (parts.length != 2 || !parts[0].matches("0x[0-9a-fA-F]{40}") || !parts[1].matches("0x[0-9a-fA-F]{64}")) {
                throw new IllegalArgumentException("--authorize expects 0x<40 hex>:0x<64 hex>, got " + args[i]);
            }
            out.add(new GatewayAuthorization(parts[0].toLowerCase(java.util.Locale.ROOT), Numeric.hexStringToByteArray(parts[1])));
        }
        return out;
    }
}
