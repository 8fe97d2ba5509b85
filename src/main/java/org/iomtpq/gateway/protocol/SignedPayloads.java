package org.iomtpq.gateway.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.iomtpq.gateway.crypto.Hashes;

/** The exact bytes that enrollment and rotation signatures cover (§4, §5a), and the §2 chain values. */
public final class SignedPayloads {
    private static final int COMMITMENT_BYTES = 32;

    private SignedPayloads() {
    }

    /** LP("iomt-pq/v1/enroll") || LP(deviceId) || LP(deviceType) || LP(kemPk) || LP(sigPk) || LP(timestamp). */
    public static byte[] enrollment(String deviceId, String deviceType, byte[] kemPk, byte[] sigPk, String timestamp) {
        return Lp.builder().lp(Labels.ENROLL).lp(deviceId).lp(deviceType).lp(kemPk).lp(sigPk).lp(timestamp)
                .toByteArray();
    }

    /**
     * LP("iomt-pq/v1/rotate") || LP(deviceId) || LP(currentKeyCommitment) || LP(newKemPk) || LP(newSigPk)
     * || LP(timestamp). Binding the current commitment makes a rotation valid for one key generation only.
     */
    public static byte[] rotation(String deviceId, byte[] currentKeyCommitment32, byte[] newKemPk, byte[] newSigPk,
                                  String timestamp) {
        if (Objects.requireNonNull(currentKeyCommitment32, "currentKeyCommitment32").length != COMMITMENT_BYTES) {
            throw new IllegalArgumentException("a key commitment is 32 bytes");
        }
        return Lp.builder().lp(Labels.ROTATE).lp(deviceId).lp(currentKeyCommitment32).lp(newKemPk).lp(newSigPk)
                .lp(timestamp).toByteArray();
    }

    /** keccak256(kemPk || sigPk), the value registered on chain. */
    public static byte[] keyCommitment(byte[] kemPk, byte[] sigPk) {
        return Hashes.keccak256(Objects.requireNonNull(kemPk, "kemPk"), Objects.requireNonNull(sigPk, "sigPk"));
    }

    /** keccak256(UTF8(deviceId)), the device's key on chain. */
    public static byte[] deviceIdHash(String deviceId) {
        return Hashes.keccak256(Objects.requireNonNull(deviceId, "deviceId").getBytes(StandardCharsets.UTF_8));
    }
}
