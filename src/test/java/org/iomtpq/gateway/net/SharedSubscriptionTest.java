package org.iomtpq.gateway.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;

import org.iomtpq.gateway.config.GatewaySettings;
import org.iomtpq.gateway.config.StartupException;
import org.junit.jupiter.api.Test;

class SharedSubscriptionTest {

    private static final String PLAIN = "iomt/v1/+/up/+";

    @Test
    void withoutAGroupTheFilterIsThePlainOneAsBefore() {
        assertEquals(PLAIN, SharedSubscription.upFilter(PLAIN, ""));
    }

    @Test
    void aGroupMakesTheMqtt5SharedSubscriptionOfThePlainFilter() {
        assertEquals("$share/g1/iomt/v1/+/up/+", SharedSubscription.upFilter(PLAIN, "g1"));
        assertEquals("$share/ward-4b.gateways_A/iomt/v1/+/up/+", SharedSubscription.upFilter(PLAIN, "ward-4b.gateways_A"));
    }

    @Test
    void theGroupComesFromTheFileKeyOrItsEnvironmentVariable() {
        Path file = Path.of("config", "application.properties");
        GatewaySettings defaults = GatewaySettings.load(file, Map.of(), Map.of());
        assertEquals(PLAIN, SharedSubscription.upFilter(defaults.get("iomt.mqtt.up-topic"),
                defaults.getOrEmpty("iomt.mqtt.shared-group")), "the default stays a plain subscription");
        GatewaySettings fromEnv = GatewaySettings.load(file, Map.of("IOMT_MQTT_SHARED_GROUP", "ward-4b"), Map.of());
        assertEquals("$share/ward-4b/iomt/v1/+/up/+", SharedSubscription.upFilter(fromEnv.get("iomt.mqtt.up-topic"),
                fromEnv.getOrEmpty("iomt.mqtt.shared-group")));
    }

    @Test
    void aGroupNameMqttRefusesIsAOneLineMisconfiguration() {
        for (String bad : new String[] {"a/b", "g+", "#", "g\u0000", "line\nbreak"}) {
            StartupException e = assertThrows(StartupException.class, () -> SharedSubscription.upFilter(PLAIN, bad), bad);
            assertEquals(StartupException.MISCONFIGURED, e.exitCode());
            assertTrue(e.getMessage().startsWith("iomt.mqtt.shared-group (IOMT_MQTT_SHARED_GROUP) must be a share name"),
                    e.getMessage());
            assertFalse(e.getMessage().contains("\n"), "one line");
        }
    }

    @Test
    void aGroupOnAFilterThatIsAlreadySharedIsRefused() {
        StartupException e = assertThrows(StartupException.class,
                () -> SharedSubscription.upFilter("$share/old/iomt/v1/+/up/+", "g1"));
        assertTrue(e.getMessage().contains("iomt.mqtt.up-topic must be the plain filter"), e.getMessage());
    }
}
