package org.iomtpq.gateway.protocol;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.function.Consumer;
import org.iomtpq.gateway.crypto.MlDsaKeyPair;
import org.iomtpq.gateway.crypto.MlKemKeyPair;

/** Shared keys and sample messages for the protocol tests. Keys come from fixed seeds so runs are repeatable. */
final class ProtocolFixtures {
    static final SecureRandom RND = new SecureRandom();
    static final Instant NOW = Instant.parse("2026-11-23T19:00:00Z");
    static final String GATEWAY_ID = "GATEWAY_EU_1";
    static final String DEVICE_ID = "BP_MONITOR_001";
    static final ObjectMapper MAPPER = new ObjectMapper();

    static final MlKemKeyPair GATEWAY_KEM = MlKemKeyPair.fromSeed(seed(64, 1));
    static final DeviceIdentity DEVICE = new DeviceIdentity(DEVICE_ID, "bp-monitor",
            MlKemKeyPair.fromSeed(seed(64, 2)), MlDsaKeyPair.fromSeed(seed(32, 3)));
    static final DeviceIdentity DEVICE_NEXT = new DeviceIdentity(DEVICE_ID, "bp-monitor",
            MlKemKeyPair.fromSeed(seed(64, 4)), MlDsaKeyPair.fromSeed(seed(32, 5)));

    private ProtocolFixtures() {
    }

    static byte[] seed(int length, int tag) {
        byte[] s = new byte[length];
        for (int i = 0; i < length; i++) {
            s[i] = (byte) (tag * 31 + i);
        }
        return s;
    }

    static byte[] random(int length) {
        byte[] b = new byte[length];
        RND.nextBytes(b);
        return b;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Parses {@code json}, lets {@code edit} change the tree, and writes it back (member order kept). */
    static byte[] edit(String json, Consumer<ObjectNode> edit) {
        try {
            ObjectNode node = (ObjectNode) MAPPER.readTree(json);
            edit.accept(node);
            return MAPPER.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static EnrollMessage sampleEnroll() {
        return DEVICE.enrollMessage(NOW, RND);
    }

    static HelloMessage sampleHello() {
        return new HelloMessage(DEVICE_ID, GATEWAY_ID, Labels.SUITE, random(32), random(1184), random(1088));
    }

    static ServerHelloMessage sampleServerHello() {
        return new ServerHelloMessage(DEVICE_ID, GATEWAY_ID, random(16), random(32), "2026-11-24T19:00:00.000Z",
                1_000_000L, random(1088), random(1088), random(32));
    }

    static FinishedMessage sampleFinished() {
        return new FinishedMessage(DEVICE_ID, random(16), random(32));
    }

    static TelemetryMessage sampleTelemetry() {
        return new TelemetryMessage(DEVICE_ID, random(16), 7, random(80));
    }

    static RotateMessage sampleRotate() {
        return new RotateMessage(DEVICE_ID, random(1184), random(1952), "2026-11-23T19:00:00Z", random(3309),
                random(3309));
    }
}
