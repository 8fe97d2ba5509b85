package org.iomtpq.gateway.chain;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Deploys the registry and authorizes the gateways that will write to it, each in its own confirmed transaction. */
public final class RegistryDeployer {

    /** A gateway account to authorize and the keccak256 of its ML-KEM public key (PROTOCOL.md §2 kemKeyHash). */
    public record GatewayAuthorization(String address, byte[] kemKeyHash) {
        public GatewayAuthorization {
            Objects.requireNonNull(address, "address");
            if (kemKeyHash == null || kemKeyHash.length != 32) {
                throw new IllegalArgumentException("kemKeyHash must be 32 bytes");
            }
        }
    }

    /** The registry address, its deployment transaction and one authorization transaction per gateway, in order. */
    public record Deployment(String address, String deployTxHash, List<String> authorizationTxHashes) {
    }

    private RegistryDeployer() {
    }

    /**
     * Deploys from {@code owner}'s account (which becomes the registry owner) and authorizes {@code gateways}.
     *
     * @throws IllegalStateException when an authorization is mined but fails
     */
    public static Deployment deployAndAuthorize(RegistryClient owner, List<GatewayAuthorization> gateways) {
        DeployedContract registry = owner.deploy(ContractArtifact.load(ContractArtifact.REGISTRY), "");
        return new Deployment(registry.address(), registry.txHash(), authorize(owner, registry.address(), gateways));
    }

    /**
     * Authorizes {@code gateways} on the registry at {@code registry} from {@code owner}'s account (which must be the
     * registry's owner); one confirmed transaction each, whose hashes are returned in order. Authorizing a gateway
     * again replaces the ML-KEM key hash it was authorized with.
     *
     * @throws ChainRevertException  when {@code owner} is not the owner (nothing is sent)
     * @throws IllegalStateException when an authorization is mined but fails
     */
    public static List<String> authorize(RegistryClient owner, String registry, List<GatewayAuthorization> gateways) {
        List<String> authorizations = new ArrayList<>();
        for (GatewayAuthorization gateway : gateways) {
            AdminTransactions.Sent sent = owner.submitAndWait(registry,
                    RegistryContract.authorizeGateway(gateway.address(), gateway.kemKeyHash()));
            if (!sent.outcome().success()) {
                throw new IllegalStateException("authorizeGateway(" + gateway.address() + ") failed: "
                        + sent.outcome().revertReason());
            }
            authorizations.add(sent.tx().txHash());
        }
        return List.copyOf(authorizations);
    }
}
