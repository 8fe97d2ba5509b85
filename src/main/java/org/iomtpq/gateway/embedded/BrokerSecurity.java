package org.iomtpq.gateway.embedded;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthInput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthOutput;
import com.hivemq.extension.sdk.api.auth.parameter.TopicPermission;
import com.hivemq.extension.sdk.api.events.client.ClientLifecycleEventListener;
import com.hivemq.extension.sdk.api.events.client.parameters.AuthenticationSuccessfulInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ConnectionStartInput;
import com.hivemq.extension.sdk.api.events.client.parameters.DisconnectEventInput;
import com.hivemq.extension.sdk.api.packets.auth.DefaultAuthorizationBehaviour;
import com.hivemq.extension.sdk.api.packets.auth.ModifiableDefaultPermissions;
import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
import com.hivemq.extension.sdk.api.services.builder.Builders;

import org.iomtpq.gateway.protocol.Identifiers;

/**
 * The embedded broker's rules, as an in-process HiveMQ extension: a cap on open connections per client address,
 * and, with a password file, logins and the ACL of PROTOCOL.md §3 in the shape of config/mosquitto/acl:
 * <ul>
 *   <li>the gateway's account reads {@code iomt/v1/+/up/#} (shared subscriptions too) and writes
 *       {@code iomt/v1/+/down} and {@code iomt/v1/gateways/#};</li>
 *   <li>every other account is a device whose username is its deviceId: it publishes only under
 *       {@code iomt/v1/{id}/up/#} and subscribes only to {@code iomt/v1/{id}/down} and {@code iomt/v1/gateways/+};
 *       a username that is not a valid deviceId (PROTOCOL.md §0), or {@code gateways}, cannot log in.</li>
 * </ul>
 * Anything else is refused by HiveMQ: a PUBLISH with PUBACK 0x87 (MQTT 5) or a disconnect (3.1.1), a
 * SUBSCRIBE with SUBACK 0x87. Without a password file every client is let in with every topic (development on
 * loopback; the start-up check refuses that beyond loopback).
 */
public final class BrokerSecurity implements ExtensionMain {

    /** Where logins come from; {@code passwords} null: anonymous clients, no ACL. */
    public record Logins(MosquittoPasswordFile passwords, String gatewayUser, byte[] gatewayPassword) {
    }

    private final Logins logins;
    private final int perSource;
    private final ConcurrentHashMap<InetAddress, Integer> open = new ConcurrentHashMap<>();
    private final AtomicLong refused = new AtomicLong();

    /** @param perSource the most open connections one client address may hold, at least 1 */
    public BrokerSecurity(Logins logins, int perSource) {
        if (perSource < 1) {
            throw new IllegalArgumentException("the per-source cap must be at least 1");
        }
        this.logins = logins;
        this.perSource = perSource;
    }

    /** Connections refused since start: too many from one address, or a failed login. */
    public long refused() {
        return refused.get();
    }

    /** Open connections from {@code address} as counted now. */
    int openFrom(InetAddress address) {
        return open.getOrDefault(address, 0);
    }

    @Override
    public void extensionStart(ExtensionStartInput input, ExtensionStartOutput output) {
        Services.eventRegistry().setClientLifecycleEventListener(provider -> new Counting());
        Services.securityRegistry().setAuthenticatorProvider(provider -> (SimpleAuthenticator) this::onConnect);
    }

    @Override
    public void extensionStop(ExtensionStopInput input, ExtensionStopOutput output) {
        // HiveMQ drops the registrations with the extension
    }

    private void onConnect(SimpleAuthInput input, SimpleAuthOutput output) {
        Optional<InetAddress> source = input.getConnectionInformation().getInetAddress();
        if (source.isPresent() && open.getOrDefault(source.get(), 0) > perSource) {
            refused.incrementAndGet();
            output.failAuthentication(ConnackReasonCode.QUOTA_EXCEEDED, "too many open connections from this address");
            return;
        }
        if (logins.passwords() == null) {
            output.authenticateSuccessfully();
            return;
        }
        String user = input.getConnectPacket().getUserName().orElse(null);
        byte[] password = input.getConnectPacket().getPassword().map(BrokerSecurity::bytes).orElse(null);
        if (user == null || password == null) {
            refuse(output);
            return;
        }
        ModifiableDefaultPermissions permissions = output.getDefaultPermissions();
        permissions.setDefaultBehaviour(DefaultAuthorizationBehaviour.DENY);
        if (user.equals(logins.gatewayUser()) && (MessageDigest.isEqual(password, logins.gatewayPassword())
                || logins.passwords().accepts(user, password))) {
            permissions.addAll(gatewayPermissions());
            output.authenticateSuccessfully();
        } else if (Identifiers.isValidDeviceId(user) && !user.equals("gateways") && !user.equals(logins.gatewayUser())
                && logins.passwords().accepts(user, password)) {
            permissions.addAll(devicePermissions(user));
            output.authenticateSuccessfully();
        } else {
            refuse(output);
        }
    }

    private void refuse(SimpleAuthOutput output) {
        refused.incrementAndGet();
        output.failAuthentication(ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD, "bad user name or password");
    }

    private static List<TopicPermission> gatewayPermissions() {
        return List.of(allow("iomt/v1/+/up/#", TopicPermission.MqttActivity.SUBSCRIBE),
                allow("iomt/v1/+/down", TopicPermission.MqttActivity.PUBLISH),
                allow("iomt/v1/gateways/#", TopicPermission.MqttActivity.PUBLISH));
    }

    private static List<TopicPermission> devicePermissions(String deviceId) {
        return List.of(allow("iomt/v1/" + deviceId + "/up/#", TopicPermission.MqttActivity.PUBLISH),
                allow("iomt/v1/" + deviceId + "/down", TopicPermission.MqttActivity.SUBSCRIBE),
                allow("iomt/v1/gateways/+", TopicPermission.MqttActivity.SUBSCRIBE));
    }

    private static TopicPermission allow(String filter, TopicPermission.MqttActivity activity) {
        return Builders.topicPermission().topicFilter(filter).type(TopicPermission.PermissionType.ALLOW)
                .activity(activity).build();
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] copy = new byte[buffer.remaining()];
        buffer.duplicate().get(copy);
        return copy;
    }

    /** Open connections per address: counted when a CONNECT arrives, given back by any kind of disconnect. */
    private final class Counting implements ClientLifecycleEventListener {
        @Override
        public void onMqttConnectionStart(ConnectionStartInput input) {
            input.getConnectionInformation().getInetAddress().ifPresent(a -> open.merge(a, 1, Integer::sum));
        }

        @Override
        public void onAuthenticationSuccessful(AuthenticationSuccessfulInput input) {
            // counted at the start already
        }

        @Override
        public void onDisconnect(DisconnectEventInput input) {
            input.getConnectionInformation().getInetAddress()
                    .ifPresent(a -> open.computeIfPresent(a, (k, n) -> n <= 1 ? null : n - 1));
        }
    }
}
