package org.iomtpq.gateway.chain;

import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.generated.Bytes32;

/** The baseline that stores full ML-KEM + ML-DSA public keys on chain: only for the gas comparison. */
public final class NaiveRegistryContract {

    private NaiveRegistryContract() {
    }

    public static Function authorizeGateway(String gateway) {
        return RegistryContract.tx("authorizeGateway", new Address(gateway));
    }

    public static Function registerDevice(byte[] deviceIdHash, byte[] kemPublicKey, byte[] sigPublicKey) {
        return RegistryContract.tx("registerDevice", new Bytes32(deviceIdHash), new DynamicBytes(kemPublicKey),
                new DynamicBytes(sigPublicKey));
    }

    public static Function deactivateDevice(byte[] deviceIdHash) {
        return RegistryContract.tx("deactivateDevice", new Bytes32(deviceIdHash));
    }
}
