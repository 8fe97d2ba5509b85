package org.iomtpq.gateway.tools;

import java.io.PrintStream;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.iomtpq.gateway.chain.ChainSettings;
import org.iomtpq.gateway.chain.ChainUnavailableException;
import org.iomtpq.gateway.chain.EthAccount;
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
 */
public final class DeployRegistryCommand {

    static final CommandLine OPTIONS = CommandLine.command("deploy-registry", """
                    deploy the key registry (owner: IOMT_ETH_PRIVATE_KEY, or the dev key on a local dev chain) and
                    authorize gateways (default: this gateway); prints IOMT_REGISTRY_ADDRESS""")
            .repeatable("authorize", "0xADDR:0xKEMKEYHASH", ValueKind.matching(
                    "a gateway's account and the keccak256 of its ML-KEM key, 0x<40 hex>:0x<64 hex>",
                    "0x[0-9a-fA-F]{40}:0x[0-9a-fA-F]{64}"), "authorize this gateway (repeat for more)")
            .notes("the chain: IOMT_ETH_RPC_URL and IOMT_CHAIN_ID (default http://127.0.0.1:8545, 31337)");

    private final PrintStream out;
    private final PrintStream err;

    public DeployRegistryCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public int run(String[] args) {
        return OPTIONS.run(args, out, err, a -> deploy(authorizations(a), GatewaySettings.fromEnvironment(Map.of())));
    }

    public int run(String[] args, GatewaySettings settings) {
        return OPTIONS.run(args, out, err, a -> deploy(authorizations(a), settings));
    }

    private int deploy(List<GatewayAuthorization> gateways, GatewaySettings settings) {
        ChainSettings chain = ChainSettings.from(settings);
        EthAccount owner;
        try {
            owner = EthAccount.fromSettings(settings, EthAccount.isEmbeddedProfile(chain));
        } catch (IllegalStateException e) {
            throw new CommandFailure(e.getMessage(), CommandFailure.FIX_AND_RETRY, e);
        }
        if (gateways.isEmpty()) {
            byte[] kemKeyHash = GatewayIdentity.loadOrCreate(settings.dataDir(), settings.gatewayId(), new SecureRandom())
                    .keyPair().publicKey().keccak256();
            gateways = List.of(new GatewayAuthorization(owner.address(), kemKeyHash));
        }
        try (RegistryClient client = new RegistryClient(chain, owner)) {
            out.println("deploying PostQuantumKeyRegistry to chain " + chain.chainId() + " at " + chain.rpcUrl()
                    + " from " + owner.address());
            RegistryDeployer.Deployment deployment = RegistryDeployer.deployAndAuthorize(client, gateways);
            out.println("registry " + deployment.address() + " (tx " + deployment.deployTxHash() + ")");
            for (int i = 0; i < gateways.size(); i++) {
                out.println("authorized gateway " + gateways.get(i).address() + " kemKeyHash "
                        + Numeric.toHexString(gateways.get(i).kemKeyHash()) + " (tx "
                        + deployment.authorizationTxHashes().get(i) + ")");
            }
            out.println();
            out.println("export IOMT_REGISTRY_ADDRESS=" + deployment.address());
            return 0;
        } catch (ChainUnavailableException | IllegalStateException e) {
            throw new CommandFailure("failed: " + e.getMessage(), CommandRunner.FAILED, e);
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
