package org.iomtpq.gateway.net;

import org.iomtpq.gateway.config.StartupException;

/**
 * The filter the gateway subscribes to for device uplinks: the plain one ({@code iomt/v1/+/up/+}), or with a group
 * the MQTT 5 shared subscription {@code $share/{group}/iomt/v1/+/up/+}, so that the broker hands each message to
 * exactly one instance of the group. The messages still arrive on their real topics (the deviceId is read there).
 */
public final class SharedSubscription {

    static final String GROUP_KEY = "iomt.mqtt.shared-group (IOMT_MQTT_SHARED_GROUP)";
    private static final String SHARE_PREFIX = "$share/";

    private SharedSubscription() {
    }

    /**
     * @param upTopic {@code iomt.mqtt.up-topic}, the plain filter
     * @param group {@code iomt.mqtt.shared-group}; empty: a plain subscription, as a single instance has
     * @throws StartupException for a group name MQTT 5 refuses (§4.8.2: no '/', '+' or '#'), or a group on a filter
     *         that is already shared
     */
    public static String upFilter(String upTopic, String group) {
        if (group.isEmpty()) {
            return upTopic;
        }
        if (group.chars().anyMatch(c -> c == '/' || c == '+' || c == '#' || Character.isISOControl(c))) {
            throw new StartupException(GROUP_KEY + " must be a share name without '/', '+', '#' or control characters,"
                    + " got '" + printable(group) + "'");
        }
        if (upTopic.startsWith(SHARE_PREFIX)) {
            throw new StartupException(GROUP_KEY + " is set, so iomt.mqtt.up-topic must be the plain filter"
                    + " (iomt/v1/+/up/+), got '" + upTopic + "'");
        }
        return SHARE_PREFIX + group + "/" + upTopic;
    }

    /** The operator's value in a one-line message: control characters (a pasted newline) shown as '?'. */
    private static String printable(String value) {
        return value.codePoints().map(c -> Character.isISOControl(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    }
}
