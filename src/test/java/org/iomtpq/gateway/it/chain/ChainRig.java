package org.iomtpq.gateway.it.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.model.Filters;
import org.iomtpq.gateway.chain.ChainSettings;
import org.iomtpq.gateway.chain.DeviceKey;
import org.iomtpq.gateway.chain.EthAccount;
import org.iomtpq.gateway.chain.RegistryClient;
import org.iomtpq.gateway.chain.RegistryDeployer;
import org.iomtpq.gateway.it.Answers;
import org.iomtpq.gateway.it.GatewayFixture;
import org.iomtpq.gateway.testsupport.EthNode;
import org.iomtpq.gateway.crypto.Hashes;
import org.iomtpq.gateway.service.GatewayIdentity;
import org.web3j.crypto.Credentials;
import org.web3j.utils.Numeric;

/**
 * What the chain-mode integration tests share: deploying the registry (from an owner account that is NOT a gateway's,
 * so a gateway account's nonce counts only the gateway's own transactions), authorizing gateways with the ML-KEM key
 * of their data directory, gateway settings for registry.mode=chain, and reading the chain and the outbox back.
 */
final class ChainRig {

    /** Generous: a transaction is mined at once on Anvil/Ganache; the relay and the log consumer poll every 250-500 ms. */
    static final Duration CHAIN_WAIT = Duration.ofSeconds(30);
    /** Owner of the registry in every test: a funded dev account no gateway uses. */
    static final int OWNER_ACCOUNT = 9;

    private ChainRig() {
    }

    /** keccak256 of the ML-KEM key the gateway will load from {@code dataDir} (created now, kept for its start). */
    static byte[] kemKeyHash(Path dataDir) {
        return GatewayIdentity.loadOrCreate(dataDir, GatewayFixture.GATEWAY_ID, new SecureRandom())
                .keyPair().publicKey().keccak256();
    }

    /** Deploys the registry from the owner account and authorizes {@code gateways}; returns the registry address. */
    static String deploy(String rpcUrl, long chainId, Credentials owner, List<RegistryDeployer.GatewayAuthorization> gateways) {
        try (RegistryClient client = new RegistryClient(chainSettings(rpcUrl, null, chainId), EthAccount.of(owner))) {
            return RegistryDeployer.deployAndAuthorize(client, gateways).address();
        }
    }

    /**
     * The usual rig: a registry owned by {@link #OWNER_ACCOUNT}, authorizing the gateway of {@code dataDir} as dev
     * account #0 (what a gateway on a loopback dev chain signs with when its private key is empty).
     */
    static String deployForDevGateway(EthNode node, Path dataDir) {
        return deploy(node.rpcUrl(), node.chainId(), node.kind().devAccount(OWNER_ACCOUNT),
                List.of(authorization(node.kind().devAccount(0), dataDir)));
    }

    /** Closes what was started, in this order, skipping what never started; one failing does not stop the rest. */
    static void closeAll(AutoCloseable... started) {
        for (AutoCloseable c : started) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // the others still close
            }
        }
    }

    static RegistryDeployer.GatewayAuthorization authorization(Credentials account, Path dataDir) {
        return new RegistryDeployer.GatewayAuthorization(address(account), kemKeyHash(dataDir));
    }

    static String address(Credentials account) {
        return account.getAddress().toLowerCase(java.util.Locale.ROOT);
    }

    static String privateKeyHex(Credentials account) {
        return "0x" + Numeric.toHexStringNoPrefixZeroPadded(account.getEcKeyPair().getPrivateKey(), 64);
    }

    static ChainSettings chainSettings(String rpcUrl, String registry, long chainId) {
        return new ChainSettings(rpcUrl, registry, chainId, 1, Duration.ofMillis(250));
    }

    /** Gateway settings for registry.mode=chain; {@code privateKey} empty = the dev chain's account #0. */
    static Map<String, String> gatewaySettings(String rpcUrl, long chainId, String registry, String privateKey) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("iomt.registry.mode", "chain");
        s.put("iomt.eth.rpc-url", rpcUrl);
        s.put("iomt.registry.address", registry);
        s.put("iomt.chain-id", String.valueOf(chainId));
        s.put("iomt.eth.private-key", privateKey);
        s.put("iomt.eth.poll-ms", "250");
        s.put("iomt.outbox.relay-period-ms", "250");
        return s;
    }

    /** A read-only view of the registry (any key: it only calls views). */
    static RegistryClient reader(String rpcUrl, String registry, long chainId) {
        return new RegistryClient(chainSettings(rpcUrl, registry, chainId), EthAccount.fromPrivateKey("0x" + "11".repeat(32)));
    }

    static DeviceKey onChain(RegistryClient reader, String deviceId) {
        return reader.getDeviceKey(Hashes.keccak256(deviceId.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    /** GET /devices/{id}/registration (public). */
    static JsonNode registration(GatewayFixture gw, String deviceId) {
        GatewayFixture.Response r = gw.get("/devices/" + deviceId + "/registration", null);
        assertEquals(200, r.status(), r.body());
        return Answers.json(r.body());
    }

    static JsonNode awaitStatus(GatewayFixture gw, String deviceId, String status) {
        return GatewayFixture.await(deviceId + " " + status + " at " + gw.api(), CHAIN_WAIT, () -> {
            JsonNode reg = registration(gw, deviceId);
            return status.equals(reg.path("status").asText()) ? Optional.of(reg) : Optional.empty();
        });
    }

    /** Waits until the registration has a non-null {@code field} (txHash, revocationTxHash). */
    static String awaitField(GatewayFixture gw, String deviceId, String field) {
        return GatewayFixture.await(deviceId + " " + field, CHAIN_WAIT, () -> {
            JsonNode v = registration(gw, deviceId).path(field);
            return v.isTextual() ? Optional.of(v.asText()) : Optional.empty();
        });
    }

    static void awaitOnChain(RegistryClient reader, String deviceId, String commitment, boolean active) {
        GatewayFixture.awaitTrue(deviceId + " on chain = (" + commitment + ", " + active + ")", CHAIN_WAIT, () -> {
            DeviceKey key = onChain(reader, deviceId);
            return key.active() == active && (commitment == null || Numeric.toHexString(key.commitment()).equals(commitment));
        });
    }

    /** Waits until the gateway's outbox has nothing left to send or to wait for. */
    static void awaitOutboxSettled(GatewayFixture gw) {
        GatewayFixture.awaitTrue("outbox settled", CHAIN_WAIT,
                () -> gw.count("outbox", Filters.in("status", "PENDING", "SIGNED")) == 0);
    }

    /** Like {@link #sentTransactions} but only device operations and registration batches (not the audit anchors). */
    static long sentDeviceTransactions(GatewayFixture gw) {
        return gw.count("outbox", Filters.and(Filters.in("status", "CONFIRMED", "REVERTED"), Filters.ne("rawTx", null),
                Filters.in("op", "REGISTER", "ROTATE", "DEACTIVATE", "REGISTER_BATCH")));
    }

    /**
     * Outbox entries (any operation, audit anchors and registration batches too) that carried a transaction of their
     * own and got its outcome. A registration in a batch shares the batch's txHash but has no raw transaction.
     */
    static long sentTransactions(GatewayFixture gw) {
        return gw.count("outbox", Filters.and(Filters.in("status", "CONFIRMED", "REVERTED"), Filters.ne("rawTx", null)));
    }

    /** eth_getTransactionCount(address, "latest"): transactions the account got mined. */
    static long minedTransactionCount(RegistryClient reader, String address) {
        try {
            return reader.web3j().ethGetTransactionCount(address, org.web3j.protocol.core.DefaultBlockParameterName.LATEST)
                    .send().getTransactionCount().longValueExact();
        } catch (IOException e) {
            return fail("eth_getTransactionCount failed: " + e);
        }
    }

    /**
     * Nothing sent twice: the account's mined transactions equal the outbox entries that carried one. Polled for a
     * few seconds because a periodic audit anchor may be between "mined" and "recorded" at the moment of reading; a
     * duplicate would keep the nonce above the count for good.
     */
    static void assertMinedEqualsSent(GatewayFixture gw, RegistryClient reader, String gatewayAccount) {
        long[] last = new long[2];
        try {
            GatewayFixture.awaitTrue("mined transactions of " + gatewayAccount + " = outbox entries with a transaction",
                    Duration.ofSeconds(10), () -> {
                        last[0] = sentTransactions(gw);
                        last[1] = minedTransactionCount(reader, gatewayAccount);
                        return last[0] == last[1];
                    });
        } catch (AssertionError e) {
            throw new AssertionError("outbox entries with a transaction: " + last[0] + ", mined by the account: " + last[1], e);
        }
    }
}
