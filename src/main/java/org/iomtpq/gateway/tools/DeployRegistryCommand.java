package org.iomtpq.gateway.tools;

import java.io.PrintStream;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.iomtpq.gateway.chain.ChainRevertException;
import org.iomtpq.gateway.chain.ChainSettings;
import org.iomtpq.gateway.chain.ChainUnavailableException;
import org.iomtpq.gateway.chain.RegistryClient;
import org.iomtpq.gateway.chain.RegistryDeployer;
import org.iomtpq.gateway.chain.RegistryDeployer.GatewayAuthorization;
import org.iomtpq.gateway.cli.Arguments;
import org.iomtpq.gateway.cli.CommandFailure;
import org.iomtpq.gateway.cli.CommandLine;
import org.iomtpq.gateway.cli.CommandRunner;
import org.iomtpq.gateway.cli.ValueKind;
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

    private static final ValueKind AUTHORIZATION = ValueKind.matching(
            "a gateway's account and the keccak256 of its ML-KEM key, 0x<40 hex>:0x<64 hex>",
            "0x[0-9a-fA-F]{40}:0x[0-9a-fA-F]{64}");

    static final CommandLine OPTIONS = CommandLine.command("deploy-registry", """
                    deploy the key registry (owner: IOMT_ETH_PRIVATE_KEY, or the dev key on a local dev chain) and
                    authorize gateways (default: this gateway); prints IOMT_REGISTRY_ADDRESS""")
            .repeatable("authorize", "0xADDR:0xKEMKEYHASH", AUTHORIZATION, "authorize this gateway (repeat for more)")
            .notes("the chain: IOMT_ETH_RPC_URL and IOMT_CHAIN_ID (default http://127.0.0.1:8545, 31337)");

    static final CommandLine AUTHORIZE_OPTIONS = CommandLine.command("authorize-gateway", """
                    authorize gateways on the registry at IOMT_REGISTRY_ADDRESS, as its owner (IOMT_ETH_PRIVATE_KEY,
                    or the dev key on a local dev chain); default: this gateway's account and ML-KEM key hash""")
            .repeatable("authorize", "0xADDR:0xKEMKEYHASH", AUTHORIZATION, "authorize this gateway (repeat for more)")
            .notes("authorizing a gateway again replaces its key hash; the chain: IOMT_ETH_RPC_URL and IOMT_CHAIN_ID");

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
        return OPTIONS.run(args, out, err, a -> withOwner(settings, authorizations(a), this::deploy));
    }

    /** {@code authorize-gateway}: authorizes on the configured registry instead of deploying one. */
    public int authorize(String[] args) {
        return authorize(args, GatewaySettings.fromEnvironment(Map.of()));
    }

    public int authorize(String[] args, GatewaySettings settings) {
        return AUTHORIZE_OPTIONS.run(args, out, err, a -> {
            if (!settings.isSet("iomt.registry.address")) {
                throw new CommandFailure("needs the registry: set IOMT_REGISTRY_ADDRESS (and IOMT_ETH_PRIVATE_KEY of its "
                        + "owner)", CommandFailure.FIX_AND_RETRY);
            }
            return withOwner(settings, authorizations(a), this::authorizeOnRegistry);
        });
    }

    /** What to do with the owner's client and the gateways to authorize. */
    private interface OwnerAction {
        int run(RegistryClient owner, List<GatewayAuthorization> gateways);
    }

    /** The owner's client from the settings; no --authorize: this gateway (the owner's account, our ML-KEM key). */
    private int withOwner(GatewaySettings settings, List<GatewayAuthorization> gateways, OwnerAction action) {
        RegistryClient client;
        try {
            client = RegistryClient.fromSettings(settings);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new CommandFailure(e.getMessage(), CommandFailure.FIX_AND_RETRY, e);
        }
        if (gateways.isEmpty()) {
            byte[] kemKeyHash = GatewayIdentity.loadOrCreate(settings.dataDir(), settings.gatewayId(), new SecureRandom())
                    .keyPair().publicKey().keccak256();
            gateways = List.of(new GatewayAuthorization(client.account().address(), kemKeyHash));
        }
        try (client) {
            return action.run(client, gateways);
        } catch (ChainUnavailableException | ChainRevertException | IllegalStateException e) {
            throw new CommandFailure("failed: " + e.getMessage(), CommandRunner.FAILED, e);
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

    private int authorizeOnRegistry(RegistryClient client, List<GatewayAuthorization> gateways) {
        ChainSettings chain = client.settings();
        out.println("authorizing on registry " + chain.registryAddress() + " (chain " + chain.chainId() + " at "
                + chain.rpcUrl() + ") from " + client.account().address());
        printAuthorizations(gateways, RegistryDeployer.authorize(client, chain.registryAddress(), gateways));
        return 0;
    }

    private void printAuthorizations(List<GatewayAuthorization> gateways, List<String> txHashes) {
        for (int i = 0; i < gateways.size(); i++) {
            out.println("authorized gateway " + gateways.get(i).address() + " kemKeyHash "
                    + Numeric.toHexString(gateways.get(i).kemKeyHash()) + " (tx " + txHashes.get(i) + ")");
        }
    }

    private static List<GatewayAuthorization> authorizations(Arguments a) {
        List<GatewayAuthorization> out = new ArrayList<>();
        for (String pair : a.all("authorize")) {
            String[] parts = pair.split(":", -1);
            out.add(new GatewayAuthorization(parts[0].toLowerCase(Locale.ROOT), Numeric.hexStringToByteArray(parts[1])));
        }
        return out;
    }
}
