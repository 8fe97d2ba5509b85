package org.iomtpq.gateway.it.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.mongodb.client.model.Filters;
import org.iomtpq.gateway.chain.RegistryClient;
import org.iomtpq.gateway.embedded.EmbeddedMongo;
import org.iomtpq.gateway.it.Forge;
import org.iomtpq.gateway.it.GatewayFixture;
import org.iomtpq.gateway.protocol.DeviceIdentity;
import org.iomtpq.gateway.testsupport.EthNode;
import org.iomtpq.gateway.testsupport.MosquittoProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;

/**
 * Two instances of ONE logical gateway (one ML-KEM identity, one MongoDB) in chain mode, each with its own Ethereum
 * account (README "Running several instances"): they share one outbox, and exactly one of them relays it at a time.
 * Enrollments taken by both become ACTIVE, each registration is on chain once, nothing is recorded as failed, only one
 * account sends; when the relaying instance stops, the other takes over and relays what comes next.
 */
class SharedOutboxChainIT {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int DEVICES = 24;

    @TempDir
    Path base;

    @Test
    void oneInstanceRelaysTheSharedOutboxAndTheOtherTakesOverWhenItStops() throws Exception {
        MosquittoProcess broker = MosquittoProcess.requireOrSkip(); // shared, and outlives either instance
        EmbeddedMongo store = EmbeddedMongo.startInMemory();
        EthNode anvil = EthNode.start(EthNode.Kind.ANVIL);
        GatewayFixture a = null;
        GatewayFixture b = null;
        RegistryClient reader = null;
        try {
            Path dirA = Files.createDirectories(base.resolve("a"));
            Path dirB = Files.createDirectories(base.resolve("b"));
            Credentials accountA = anvil.kind().devAccount(0);
            Credentials accountB = anvil.kind().devAccount(1);
            ChainRig.kemKeyHash(dirA); // creates the logical gateway's key seed; the second instance gets a copy
            Files.copy(dirA.resolve("gateway-mlkem768.seed"), dirB.resolve("gateway-mlkem768.seed"));
            String registry = ChainRig.deploy(anvil.rpcUrl(), anvil.chainId(), anvil.kind().devAccount(ChainRig.OWNER_ACCOUNT),
                    List.of(ChainRig.authorization(accountA, dirA), ChainRig.authorization(accountB, dirB)));
            a = GatewayFixture.start(dirA, shared(ChainRig.gatewaySettings(anvil.rpcUrl(), anvil.chainId(), registry, ""),
                    store, broker));
            b = GatewayFixture.start(dirB, shared(ChainRig.gatewaySettings(anvil.rpcUrl(), anvil.chainId(), registry,
                    ChainRig.privateKeyHex(accountB)), store, broker));
            reader = ChainRig.reader(anvil.rpcUrl(), registry, anvil.chainId());

            List<String> ids = enrollAlternating(a, b, "SHARED_OUTBOX_", DEVICES);
            for (String id : ids) {
                ChainRig.awaitStatus(b, id, "ACTIVE");
                assertTrue(ChainRig.onChain(reader, id).active(), id + " active on chain");
            }
            ChainRig.awaitOutboxSettled(a);
            assertEquals(0, a.count("devices", Filters.eq("status", "REGISTRATION_FAILED")), "no registration recorded as failed");
            assertEquals(0, a.count("outbox", Filters.eq("status", "REVERTED")), "no transaction reverted");
            long minedA = ChainRig.minedTransactionCount(reader, ChainRig.address(accountA));
            long minedB = ChainRig.minedTransactionCount(reader, ChainRig.address(accountB));
            System.out.println("SharedOutboxChainIT: " + DEVICES + " enrollments through two instances; transactions mined: A "
                    + minedA + ", B " + minedB + "; outbox entries with a transaction " + ChainRig.sentTransactions(a));
            assertTrue(minedA == 0 || minedB == 0, "one instance relays: A sent " + minedA + ", B sent " + minedB);
            GatewayFixture relaying = minedA > 0 ? a : b;
            GatewayFixture other = relaying == a ? b : a;
            assertEquals(minedA + minedB, ChainRig.sentTransactions(a), "nothing sent twice");

            relaying.close(); // a clean stop releases the relay lease
            if (relaying == a) {
                a = null;
            } else {
                b = null;
            }
            List<String> later = enrollAlternating(other, other, "SHARED_OUTBOX_LATER_", 4);
            for (String id : later) {
                ChainRig.awaitStatus(other, id, "ACTIVE");
            }
            String otherAccount = ChainRig.address(other == a ? accountA : accountB);
            assertTrue(ChainRig.minedTransactionCount(reader, otherAccount) > 0, "the remaining instance took over the relay");
            assertEquals(0, other.count("devices", Filters.eq("status", "REGISTRATION_FAILED")));
        } finally {
            ChainRig.closeAll(reader, b, a, anvil, store, broker);
        }
    }

    private static Map<String, String> shared(Map<String, String> chainSettings, EmbeddedMongo store, MosquittoProcess broker) {
        Map<String, String> s = new LinkedHashMap<>(chainSettings);
        s.put("iomt.mongo.uri", store.connectionString());
        s.put("iomt.mqtt.url", broker.url());
        return s;
    }

    private static List<String> enrollAlternating(GatewayFixture first, GatewayFixture second, String prefix, int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            DeviceIdentity id = DeviceIdentity.generate(String.format("%s%03d", prefix, i), "bp-monitor", RANDOM);
            GatewayFixture.Response r = (i % 2 == 0 ? first : second).postAsOperator("/devices",
                    Forge.enroll(id, Instant.now(), RANDOM));
            assertEquals(201, r.status(), r.body());
            ids.add(id.deviceId());
        }
        return ids;
    }
}
