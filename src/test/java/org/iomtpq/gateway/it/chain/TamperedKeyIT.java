package org.iomtpq.gateway.it.chain;

import static org.iomtpq.gateway.it.Answers.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.security.SecureRandom;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import org.bson.types.Binary;
import org.iomtpq.gateway.crypto.MlKemKeyPair;
import org.iomtpq.gateway.it.GatewayFixture;
import org.iomtpq.gateway.protocol.DeviceHandshake;
import org.iomtpq.gateway.protocol.DeviceIdentity;
import org.iomtpq.gateway.protocol.ErrorCode;
import org.iomtpq.gateway.protocol.MessageCodec;
import org.iomtpq.gateway.simulator.GatewayRejection;
import org.iomtpq.gateway.simulator.SimulatedDevice;
import org.iomtpq.gateway.testsupport.EthNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PROTOCOL.md §5 / §11 "database tampering": an attacker with write access to MongoDB swaps a device's ML-KEM key for
 * one they hold. Without the on-chain check the attacker's handshake would succeed; with it, every hello for the device
 * is DEVICE_REVOKED and audited KEY_MISMATCH.
 */
class TamperedKeyIT {

    @TempDir
    static Path dataDir;

    private static EthNode anvil;
    private static GatewayFixture gw;
    private static final SecureRandom RANDOM = new SecureRandom();

    @BeforeAll
    static void start() {
        anvil = EthNode.start(EthNode.Kind.ANVIL);
        String registry = ChainRig.deployForDevGateway(anvil, dataDir);
        gw = GatewayFixture.start(dataDir, ChainRig.gatewaySettings(anvil.rpcUrl(), anvil.chainId(), registry, ""));
    }

    @AfterAll
    static void stop() {
        ChainRig.closeAll(gw, anvil);
    }

    @Test
    void aKemKeySwappedInTheDatabaseIsRefusedAndAudited() {
        SimulatedDevice device = SimulatedDevice.generate("THERMO_TAMPER_001", "thermometer", gw.httpTransport(), RANDOM);
        device.enroll();
        ChainRig.awaitStatus(gw, device.deviceId(), "ACTIVE");
        device.handshake(GatewayFixture.GATEWAY_ID, gw.gatewayKey()); // control: the genuine keys pass the check
        assertEquals(0, gw.auditCount(device.deviceId(), "KEY_MISMATCH", "REJECTED"));

        MlKemKeyPair attackerKem = MlKemKeyPair.generate(RANDOM);
        long changed = gw.db().getCollection("device_keys").updateOne(Filters.eq("_id", device.deviceId()),
                Updates.set("kemPublicKey", new Binary(attackerKem.publicKey().toBytes()))).getModifiedCount();
        assertEquals(1, changed, "the tampering took");
        long sessionsBefore = gw.count("sessions", Filters.eq("deviceId", device.deviceId()));

        // The attacker holds the secret of the swapped-in key: only the chain check stops this hello.
        DeviceIdentity attacker = new DeviceIdentity(device.deviceId(), "thermometer", attackerKem, device.identity().sigKeyPair());
        DeviceHandshake hello = DeviceHandshake.start(attacker, GatewayFixture.GATEWAY_ID, gw.gatewayKey(), RANDOM);
        assertError(gw.post("/handshake/hello", MessageCodec.toJson(hello.hello())), ErrorCode.DEVICE_REVOKED, "hello");
        assertEquals(1, gw.auditCount(device.deviceId(), "KEY_MISMATCH", "REJECTED"), "audit KEY_MISMATCH REJECTED");

        // The genuine device is refused too (its stored keys no longer match the chain) — fail closed.
        GatewayRejection refused = assertThrows(GatewayRejection.class,
                () -> device.handshake(GatewayFixture.GATEWAY_ID, gw.gatewayKey()));
        assertEquals(ErrorCode.DEVICE_REVOKED, refused.error().code());
        assertEquals(2, gw.auditCount(device.deviceId(), "KEY_MISMATCH", "REJECTED"));
        assertEquals(sessionsBefore, gw.count("sessions", Filters.eq("deviceId", device.deviceId())),
                "no handshake state was created for a refused hello");
    }
}
