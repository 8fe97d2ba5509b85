package org.iomtpq.gateway.chain;

import static org.iomtpq.gateway.chain.RegistryFixture.data;
import static org.iomtpq.gateway.chain.RegistryFixture.lower;
import static org.iomtpq.gateway.chain.RegistryFixture.newCommitment;
import static org.iomtpq.gateway.chain.RegistryFixture.newDeviceIdHash;
import static org.iomtpq.gateway.chain.RegistryFixture.onlyLog;
import static org.iomtpq.gateway.chain.RegistryFixture.topicAddress;
import static org.iomtpq.gateway.chain.RegistryFixture.topicBytes32;
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
import org.web3j.protocol.core.methods.response.Log;
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

        Log registered = onlyLog(f.asGateway(RegistryAbi.registerDeviceKey(device, first)), RegistryAbi.KEY_REGISTERED);
        assertArrayEquals(device, topicBytes32(registered, 1));
        assertEquals(lower(f.gateway), topicAddress(registered, 2));
        assertArrayEquals(first, (byte[]) data(registered, RegistryAbi.KEY_REGISTERED).get(0).getValue());
        f.expectRevert(f.gateway, RegistryAbi.registerDeviceKey(device, second), "DeviceAlreadyActive(bytes32)");

        Log rotated = onlyLog(f.asGateway(RegistryAbi.rotateDeviceKey(device, second)), RegistryAbi.KEY_REGISTERED);
        assertArrayEquals(second, (byte[]) data(rotated, RegistryAbi.KEY_REGISTERED).get(0).getValue());
        assertArrayEquals(second, f.deviceKey(device).commitment());
        assertTrue(f.deviceKey(device).active());

        Log deactivated = onlyLog(f.asOwner(RegistryAbi.deactivateKey(device)), RegistryAbi.KEY_DEACTIVATED);
        assertArrayEquals(device, topicBytes32(deactivated, 1));
        assertEquals(lower(f.owner), topicAddress(deactivated, 2));
        assertFalse(f.deviceKey(device).active());
        f.expectRevert(f.gateway, RegistryAbi.registerDeviceKey(device, first), "CommitmentAlreadyUsed(bytes32,bytes32)");
        f.expectRevert(f.stranger, RegistryAbi.deactivateKey(device), "NotAuthorizedGateway(address)");
    }

    @Test
    void anchorsAndGatewayEvents() throws Exception {
        byte[] stream = RegistryAbi.keccak("ganache/" + System.nanoTime());
        Log anchored = onlyLog(f.asGateway(RegistryAbi.anchorAudit(stream, 1, 3, newCommitment())),
                RegistryAbi.AUDIT_ANCHORED);
        assertArrayEquals(stream, topicBytes32(anchored, 2));
        f.expectRevert(f.gateway, RegistryAbi.anchorAudit(stream, 5, 6, newCommitment()),
                "NonContiguousAnchor(bytes32,uint64,uint64)");

        String other = f.node.kind().devAccount(3).getAddress();
        Log authorized = onlyLog(f.asOwner(RegistryAbi.authorizeGateway(other, newCommitment())),
                RegistryAbi.GATEWAY_AUTHORIZED);
        assertEquals(other.toLowerCase(Locale.ROOT), topicAddress(authorized, 1));
        Log removed = onlyLog(f.asOwner(RegistryAbi.removeGateway(other)), RegistryAbi.GATEWAY_REMOVED);
        assertEquals(other.toLowerCase(Locale.ROOT), topicAddress(removed, 1));
    }
}
