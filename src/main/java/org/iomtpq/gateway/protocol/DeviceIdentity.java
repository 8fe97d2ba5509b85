package org.iomtpq.gateway.protocol;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.Objects;
import org.iomtpq.gateway.crypto.MlDsa;
import org.iomtpq.gateway.crypto.MlDsaKeyPair;
import org.iomtpq.gateway.crypto.MlKemKeyPair;

/**
 * A device's long-term identity (device SDK): its id, type, static ML-KEM key pair (handshake
 * authentication) and ML-DSA key pair (enrollment and rotation signatures).
 */
public final class DeviceIdentity {
    private final String deviceId;
    private final String deviceType;
    private final MlKemKeyPair kemKeyPair;
    private final MlDsaKeyPair sigKeyPair;

    public DeviceIdentity(String deviceId, String deviceType, MlKemKeyPair kemKeyPair, MlDsaKeyPair sigKeyPair) {
        if (!Identifiers.isValidDeviceId(deviceId)) {
            throw new IllegalArgumentException("deviceId does not match §2");
        }
        if (!Identifiers.isValidDeviceType(deviceType)) {
            throw new IllegalArgumentException("deviceType does not match §2");
        }
        this.deviceId = deviceId;
        this.deviceType = deviceType;
        this.kemKeyPair = Objects.requireNonNull(kemKeyPair, "kemKeyPair");
        this.sigKeyPair = Objects.requireNonNull(sigKeyPair, "sigKeyPair");
    }

    public static DeviceIdentity generate(String deviceId, String deviceType, SecureRandom rnd) {
        return new DeviceIdentity(deviceId, deviceType, MlKemKeyPair.generate(rnd), MlDsaKeyPair.generate(rnd));
    }

    public String deviceId() {
        return deviceId;
    }

    public String deviceType() {
        return deviceType;
    }

    public MlKemKeyPair kemKeyPair() {
        return kemKeyPair;
    }

    public MlDsaKeyPair sigKeyPair() {
        return sigKeyPair;
    }

    /** keccak256(kemPk || sigPk): what the gateway registers on chain for this identity. */
    public byte[] keyCommitment() {
        return SignedPayloads.keyCommitment(kemKeyPair.publicKey().toBytes(), sigKeyPair.publicKey().toBytes());
    }

    /** A signed §4 enroll message stamped with {@code now} (millisecond precision). */
    public EnrollMessage enrollMessage(Instant now, SecureRandom rnd) {
        String timestamp = Timestamps.format(now);
        byte[] kemPk = kemKeyPair.publicKey().toBytes();
        byte[] sigPk = sigKeyPair.publicKey().toBytes();
        byte[] signed = SignedPayloads.enrollment(deviceId, deviceType, kemPk, sigPk, timestamp);
        return new EnrollMessage(deviceId, deviceType, kemPk, sigPk, timestamp,
                MlDsa.sign(sigKeyPair.privateKey(), signed, rnd));
    }

    /**
     * A §5a rotate message moving this identity to {@code next} (same deviceId): signed by this identity's
     * current key and by the next one, bound to this identity's key commitment.
     */
    public RotateMessage rotateTo(DeviceIdentity next, Instant now, SecureRandom rnd) {
        if (!deviceId.equals(next.deviceId)) {
            throw new IllegalArgumentException("a rotation keeps the deviceId");
        }
        String timestamp = Timestamps.format(now);
        byte[] newKemPk = next.kemKeyPair.publicKey().toBytes();
        byte[] newSigPk = next.sigKeyPair.publicKey().toBytes();
        byte[] signed = SignedPayloads.rotation(deviceId, keyCommitment(), newKemPk, newSigPk, timestamp);
        return new RotateMessage(deviceId, newKemPk, newSigPk, timestamp,
                MlDsa.sign(sigKeyPair.privateKey(), signed, rnd), MlDsa.sign(next.sigKeyPair.privateKey(), signed, rnd));
    }

    @Override
    public String toString() {
        return "DeviceIdentity[deviceId=" + deviceId + ", deviceType=" + deviceType + "]";
    }
}
