package org.iomtpq.gateway.chain;

import static org.iomtpq.gateway.chain.RegistryFixture.newCommitment;
import static org.iomtpq.gateway.chain.RegistryFixture.newDeviceIdHash;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.iomtpq.gateway.testsupport.EthNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Gas of the commitment registry against the naive full-key design, on a real Anvil. Gas is deterministic for
 * a given bytecode and hard fork, so the two design goals are asserted, not just printed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RegistryContractGasIT {

    static final long SINGLE_REGISTRATION_GOAL = 50_000;
    static final long BATCH_PER_DEVICE_GOAL = 30_000;
    private static final int BATCH_SIZE = 100;

    private RegistryFixture f;

    @BeforeAll
    void startAnvilAndDeploy() throws IOException {
        f = RegistryFixture.start(EthNode.Kind.ANVIL);
        report("deploy PostQuantumKeyRegistry", f.deployment.gasUsed());
    }

    @AfterAll
    void stop() {
        if (f != null) {
            f.close();
        }
    }

    @Test
    void singleRegistrationOfANewDeviceStaysUnderTheGoal() throws Exception {
        long gas = gasOf(f.asGateway(RegistryContract.registerDeviceKey(newDeviceIdHash(), newCommitment())));
        report("registerDeviceKey (new id)", gas);
        assertTrue(gas <= SINGLE_REGISTRATION_GOAL, "registerDeviceKey used " + gas + " gas, goal " + SINGLE_REGISTRATION_GOAL);
    }

    @Test
    void batchOfAHundredStaysUnderTheGoalPerDevice() throws Exception {
        List<byte[]> devices = new ArrayList<>();
        List<byte[]> commitments = new ArrayList<>();
        for (int i = 0; i < BATCH_SIZE; i++) {
            devices.add(newDeviceIdHash());
            commitments.add(newCommitment());
        }
        long gas = gasOf(f.asGateway(RegistryContract.registerDeviceKeys(devices, commitments)));
        long perDevice = gas / BATCH_SIZE;
        report("registerDeviceKeys x" + BATCH_SIZE + " (total " + gas + ") per device", perDevice);
        assertTrue(perDevice <= BATCH_PER_DEVICE_GOAL, "batch used " + perDevice + " gas per device, goal " + BATCH_PER_DEVICE_GOAL);
    }

    @Test
    void lifecycleCostsForInformation() throws Exception {
        byte[] device = newDeviceIdHash();
        f.asGateway(RegistryContract.registerDeviceKey(device, newCommitment()));
        report("rotateDeviceKey", gasOf(f.asGateway(RegistryContract.rotateDeviceKey(device, newCommitment()))));
        report("deactivateKey", gasOf(f.asGateway(RegistryContract.deactivateKey(device))));
        report("registerDeviceKey (deactivated id, new commitment)",
                gasOf(f.asGateway(RegistryContract.registerDeviceKey(device, newCommitment()))));
        byte[] stream = RegistryFixture.keccak("gas/" + System.nanoTime());
        report("anchorAudit (first of a stream)", gasOf(f.asGateway(RegistryContract.anchorAudit(stream, 1, 100, newCommitment()))));
        report("anchorAudit (next)", gasOf(f.asGateway(RegistryContract.anchorAudit(stream, 101, 200, newCommitment()))));
    }

    @Test
    void naiveFullKeyRegistryForComparison() throws Exception {
        try (ChainClient chain = new ChainClient(f.node)) {
            var deployment = chain.deploy(f.owner, ContractArtifact.NAIVE_REGISTRY);
            report("deploy NaivePostQuantumKeyRegistry", deployment.gasUsed());
            String naive = deployment.address();
            chain.send(f.owner, naive, NaiveRegistryContract.authorizeGateway(f.gateway.getAddress()));
            SecureRandom random = new SecureRandom();
            byte[] kem = new byte[1184];
            byte[] sig = new byte[1952];
            random.nextBytes(kem);
            random.nextBytes(sig);
            byte[] device = newDeviceIdHash();
            long gas = gasOf(chain.send(f.gateway, naive, NaiveRegistryContract.registerDevice(device, kem, sig)));
            report("naive registerDevice (1184 + 1952 B keys)", gas);
            report("naive deactivateDevice", gasOf(chain.send(f.gateway, naive, NaiveRegistryContract.deactivateDevice(device))));
            assertTrue(gas > 20 * SINGLE_REGISTRATION_GOAL, "storing 3 KiB of keys should cost far more: " + gas);
        }
    }

    private static long gasOf(org.web3j.protocol.core.methods.response.TransactionReceipt receipt) {
        return receipt.getGasUsed().longValueExact();
    }

    private static void report(String what, long gas) {
        System.out.printf("GAS %-55s %,10d%n", what, gas);
    }
}
