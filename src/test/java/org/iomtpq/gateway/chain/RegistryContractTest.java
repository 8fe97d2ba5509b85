package org.iomtpq.gateway.chain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.web3j.abi.EventEncoder;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.TypeEncoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Uint64;
import org.web3j.crypto.Hash;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.utils.Numeric;

/** Pure encoding: selectors, event decoding and revert descriptions, without a chain. */
class RegistryContractTest {

    private static final String GATEWAY = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";

    @Test
    void selectorsAreThoseOfProtocolSection9() {
        assertEquals(Hash.sha3String("registerDeviceKey(bytes32,bytes32)").substring(0, 10),
                FunctionEncoder.encode(RegistryContract.registerDeviceKey(new byte[32], new byte[32])).substring(0, 10));
        assertEquals(Hash.sha3String("anchorAudit(bytes32,uint64,uint64,bytes32)").substring(0, 10),
                FunctionEncoder.encode(RegistryContract.anchorAudit(new byte[32], 1, 2, new byte[32])).substring(0, 10));
        assertEquals(Hash.sha3String("registerDeviceKeys(bytes32[],bytes32[])").substring(0, 10),
                FunctionEncoder.encode(RegistryContract.registerDeviceKeys(List.of(), List.of())).substring(0, 10));
    }

    @Test
    void eventTopicsAreTheFiveDistinctEventSignatures() {
        List<String> topics = RegistryContract.eventTopics();
        assertEquals(5, new HashSet<>(topics).size());
        assertTrue(topics.contains(Hash.sha3String("KeyRegistered(bytes32,bytes32,address)")));
        assertTrue(topics.contains(Hash.sha3String("AuditAnchored(address,bytes32,uint64,uint64,bytes32)")));
    }

    @Test
    void decodesAnAuditAnchoredLog() {
        byte[] stream = Hash.sha3("s".getBytes());
        byte[] root = Hash.sha3("r".getBytes());
        Log log = new Log();
        log.setTopics(List.of(EventEncoder.encode(RegistryContract.AUDIT_ANCHORED),
                "0x" + TypeEncoder.encode(new Address(GATEWAY)), Numeric.toHexString(stream)));
        log.setData("0x" + TypeEncoder.encode(new Uint64(BigInteger.valueOf(7))) + TypeEncoder.encode(new Uint64(9))
                + TypeEncoder.encode(new Bytes32(root)));
        log.setTransactionHash("0x" + "11".repeat(32));
        log.setBlockNumber("0x2a");
        RegistryEvent.AuditAnchored event = (RegistryEvent.AuditAnchored) RegistryContract.decode(log).orElseThrow();
        assertEquals(GATEWAY, event.gateway());
        assertArrayEquals(stream, event.streamIdHash());
        assertEquals(7, event.firstSeq());
        assertEquals(9, event.lastSeq());
        assertArrayEquals(root, event.merkleRoot());
        assertEquals(42, event.blockNumber());

        log.setTopics(List.of(Hash.sha3String("OwnershipTransferred(address,address)"), log.getTopics().get(1),
                log.getTopics().get(1)));
        assertTrue(RegistryContract.decode(log).isEmpty(), "not a §9 event");
    }

    @Test
    void describesCustomErrorsFromTheArtifactAbi() {
        byte[] id = Hash.sha3("BP_MONITOR_001".getBytes());
        String data = Hash.sha3String("DeviceAlreadyActive(bytes32)").substring(0, 10) + Numeric.toHexStringNoPrefix(id);
        assertEquals("DeviceAlreadyActive(" + Numeric.toHexString(id) + ")", RegistryContract.describeRevert(data));
        String notOwner = Hash.sha3String("NotOwner(address)").substring(0, 10) + TypeEncoder.encode(new Address(GATEWAY));
        assertEquals("NotOwner(" + GATEWAY + ")", RegistryContract.describeRevert(notOwner));
        String range = Hash.sha3String("InvalidAnchorRange(uint64,uint64)").substring(0, 10)
                + TypeEncoder.encode(new Uint64(11)) + TypeEncoder.encode(new Uint64(10));
        assertEquals("InvalidAnchorRange(11, 10)", RegistryContract.describeRevert(range));
        assertEquals("EmptyBatch()", RegistryContract.describeRevert(Hash.sha3String("EmptyBatch()").substring(0, 10)));
        assertEquals("revert without data", RegistryContract.describeRevert("0x"));
        assertEquals("revert without data", RegistryContract.describeRevert(null));
        assertTrue(RegistryContract.describeRevert("0xdeadbeef").startsWith("unknown revert"));
    }

    @Test
    void findsRevertDataInNodeErrors() {
        String data = Hash.sha3String("EmptyBatch()").substring(0, 10);
        Response.Error anvil = new Response.Error(3, "execution reverted: custom error 0x" + data.substring(2));
        anvil.setData(data);
        assertEquals(data, RevertDecoder.revertData(anvil));
        Response.Error nested = new Response.Error(-32000, "VM Exception while processing transaction: revert");
        nested.setData("{\"hash\":\"0x" + "ab".repeat(32) + "\",\"result\":\"" + data + "\"}");
        assertEquals(data, RevertDecoder.revertData(nested));
        assertTrue(RevertDecoder.isRevert(nested));
    }
}
