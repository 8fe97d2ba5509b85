package org.iomtpq.gateway.protocol;

/**
 * The suite name and the domain-separation labels of §4–§6. Each hashed or signed encoding starts with its
 * own label so that bytes signed or MACed for one purpose can never be accepted for another.
 */
public final class Labels {
    public static final String SUITE = "MLKEM768-MLDSA65-AES256GCM-SHA256";

    public static final String ENROLL = "iomt-pq/v1/enroll";
    public static final String ROTATE = "iomt-pq/v1/rotate";
    public static final String HANDSHAKE = "iomt-pq/v1/handshake";
    public static final String TELEMETRY = "iomt-pq/v1/telemetry";

    public static final String KEY_DEVICE_TO_GATEWAY = "iomt-pq/v1 device-to-gateway key";
    public static final String KEY_GATEWAY_TO_DEVICE = "iomt-pq/v1 gateway-to-device key";
    public static final String KEY_DEVICE_FINISHED = "iomt-pq/v1 device finished";
    public static final String KEY_GATEWAY_FINISHED = "iomt-pq/v1 gateway finished";

    private Labels() {
    }
}
