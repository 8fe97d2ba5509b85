package org.iomtpq.gateway.chain;

import static org.iomtpq.gateway.chain.RegistryFixture.lower;
import static org.iomtpq.gateway.chain.RegistryFixture.newCommitment;
import static org.iomtpq.gateway.chain.RegistryFixture.newDeviceIdHash;
import static org.iomtpq.gateway.chain.RegistryFixture.onlyEvent;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigInteger;
import java.util.List;
import java.util.Locale;
import org.iomtpq.gateway.testsupport.EthNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.web3j.utils.Numeric;

/**
 * The same "paris" bytecode on Ganache 7.9 (chain id 1337): deployment, the device lifecycle with its events,
 * a custom-error revert, and an anchor. The full revert matrix runs on Anvil (RegistryContractIT).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RegistryContractGanacheIT {

    private RegistryFixture f;

    @BeforeAll
    void startGanacheAndDeploy() throws IOException {
        f = RegistryFixture.start(EthNode.Kind.GANACHE);
    }

    @AfterAll
    void stop() {
        if (f != null) {
            f.close();
        }
    }

    @Test
    void deterministicWalletKeysAreDerivedFromTheMnemonic() throws Exception {
        assertEquals("0x4f3edf983ac636a65a842ce7c78d9aa706d3b113bce9c46f30d7d21715b23b1d",
                Numeric.toHexStringWithPrefixZeroPadded(f.owner.getEcKeyPair().getPrivateKey(), 64));
        assertEquals("0x6cbed15c793ce57650b9877cf6fa156fbef513c4e6134f022a85b1ffdd59b2a1",
                Numeric.toHexStringWithPrefixZeroPadded(f.gateway.getEcKeyPair().getPrivateKey(), 64));
        List<String> accounts = f.chain.web3j().ethAccounts().send().getAccounts();
        assertEquals(lower(f.owner), accounts.get(0).toLowerCase(Locale.ROOT));
        assertEquals(lower(f.gateway), accounts.get(1).toLowerCase(Locale.ROOT));
        assertEquals(BigInteger.valueOf(1337), f.chain.web3j().ethChainId().send().getChainId());
    }

    @Test
    void deviceLifecycleWithEvents() throws Exception {
        byte[] device = newDeviceIdHash();
        byte[] first = newCommitment();
        byte[] second = newCommitment();

        RegistryEvent.KeyRegistered registered = onlyEvent(f.asGateway(RegistryContract.registerDeviceKey(device, first)), RegistryEvent.KeyRegistered.class);
        assertArrayEquals(device, registered.deviceIdHash());
        assertEquals(lower(f.gateway), registered.gateway());
        assertArrayEquals(first, registered.keyCommitment());
        f.expectRevert(f.gateway, RegistryContract.registerDeviceKey(device, second), "DeviceAlreadyActive(bytes32)");

        RegistryEvent.KeyRegistered rotated = onlyEvent(f.asGateway(RegistryContract.rotateDeviceKey(device, second)), RegistryEvent.KeyRegistered.class);
        assertArrayEquals(second, rotated.keyCommitment());
        assertArrayEquals(second, f.deviceKey(device).commitment());
        assertTrue(f.deviceKey(device).active());

        RegistryEvent.KeyDeactivated deactivated = onlyEvent(f.asOwner(RegistryContract.deactivateKey(device)), RegistryEvent.KeyDeactivated.class);
        assertArrayEquals(device, deactivated.deviceIdHash());
        assertEquals(lower(f.owner), deactivated.gateway());
        assertFalse(f.deviceKey(device).active());
        f.expectRevert(f.gateway, RegistryContract.registerDeviceKey(device, first), "CommitmentAlreadyUsed(bytes32,bytes32)");
        f.expectRevert(f.stranger, RegistryContract.deactivateKey(device), "NotAuthorizedGateway(address)");
    }

    @Test
    void anchorsAndGatewayEvents() throws Exception {
        byte[] stream = RegistryFixture.keccak("ganache/" + System.nanoTime());
        RegistryEvent.AuditAnchored anchored = onlyEvent(f.asGateway(RegistryContract.anchorAudit(stream, 1, 3, newCommitment())),
                RegistryEvent.AuditAnchored.class);
        assertArrayEquals(stream, anchored.streamIdHash());
        f.expectRevert(f.gateway, RegistryContract.anchorAudit(stream, 5, 6, newCommitment()),
                "NonContiguousAnchor(bytes32,uint64,uint64)");

        String other = f.node.kind().devAccount(3).getAddress();
        RegistryEvent.GatewayAuthorized authorized = onlyEvent(f.asOwner(RegistryContract.authorizeGateway(other, newCommitment())),
                RegistryEvent.GatewayAuthorized.class);
        assertEquals(other.toLowerCase(Locale.ROOT), authorized.gateway());
        RegistryEvent.GatewayRemoved removed = onlyEvent(f.asOwner(RegistryContract.removeGateway(other)), RegistryEvent.GatewayRemoved.class);
        assertEquals(other.toLowerCase(Locale.ROOT), removed.gateway());
    }
}
