package org.iomtpq.gateway.protocol;

import java.util.regex.Pattern;

/** The identifier formats of §2. Strict regexes also keep ids safe as MQTT topic levels and log values. */
public final class Identifiers {
    private static final Pattern ENTITY_ID = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9_.-]{2,63}$");
    private static final Pattern DEVICE_TYPE = Pattern.compile("^[a-z0-9-]{1,32}$");

    private Identifiers() {
    }

    public static boolean isValidDeviceId(String s) {
        return s != null && ENTITY_ID.matcher(s).matches();
    }

    public static boolean isValidGatewayId(String s) {
        return s != null && ENTITY_ID.matcher(s).matches();
    }

    public static boolean isValidDeviceType(String s) {
        return s != null && DEVICE_TYPE.matcher(s).matches();
    }

    /** Returns {@code deviceId} or throws {@code MALFORMED_REQUEST}. */
    public static String requireDeviceId(String deviceId) {
        if (!isValidDeviceId(deviceId)) {
            throw ProtocolException.malformed("deviceId does not match ^[A-Za-z0-9][A-Za-z0-9_.-]{2,63}$");
        }
        return deviceId;
    }

    public static String requireGatewayId(String gatewayId) {
        if (!isValidGatewayId(gatewayId)) {
            throw ProtocolException.malformed("gatewayId does not match ^[A-Za-z0-9][A-Za-z0-9_.-]{2,63}$");
        }
        return gatewayId;
    }

    public static String requireDeviceType(String deviceType) {
        if (!isValidDeviceType(deviceType)) {
            throw ProtocolException.malformed("deviceType does not match ^[a-z0-9-]{1,32}$");
        }
        return deviceType;
    }
}
