package org.iomtpq.gateway.bench;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.iomtpq.gateway.crypto.MlKemKeyPair;
import org.iomtpq.gateway.crypto.MlKemPublicKey;
import org.iomtpq.gateway.protocol.DeviceHandshake;
import org.iomtpq.gateway.protocol.DeviceIdentity;
import org.iomtpq.gateway.protocol.FinishedMessage;
import org.iomtpq.gateway.protocol.GatewayHandshake;
import org.iomtpq.gateway.protocol.HelloMessage;
import org.iomtpq.gateway.protocol.MessageCodec;
import org.iomtpq.gateway.protocol.PendingHandshake;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The gateway's share of a §5 handshake, in process, without storage or transport. The device side (ephemeral
 * keygen + encapsulation to the gateway, 3 ML-KEM operations) runs once in setup: a pool of hellos is cycled,
 * which is sound because {@link GatewayHandshake#respond} keeps no state between calls (fresh randomness each time).
 * <ul>
 *   <li>{@code respond}: hello → server-hello (1 decaps + 2 encaps + transcript + key schedule + MAC);</li>
 *   <li>{@code respondJson}: the same with the strict JSON parse of the hello and the server-hello's JSON;</li>
 *   <li>{@code finished}: finished → established check (one HMAC, constant-time compare).</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class HandshakeBench {

    private static final String GATEWAY_ID = "GATEWAY_EU_1";
    private static final Instant NOW = Instant.parse("2026-11-23T19:00:00Z");
    private static final Duration TTL = Duration.ofHours(24);
    private static final int POOL = 32;

    private SecureRandom random;
    private MlKemKeyPair gatewayStatic;
    private MlKemPublicKey deviceKemKey;
    private final HelloMessage[] hellos = new HelloMessage[POOL];
    private final byte[][] helloJson = new byte[POOL][];
    private int next;
    private PendingHandshake pending;
    private FinishedMessage finished;

    @Setup
    public void setUp() {
        random = new SecureRandom();
        gatewayStatic = MlKemKeyPair.generate(random);
        DeviceIdentity device = DeviceIdentity.generate("BP_MONITOR_001", "bp-monitor", random);
        deviceKemKey = device.kemKeyPair().publicKey();
        for (int i = 0; i < POOL; i++) {
            hellos[i] = DeviceHandshake.start(device, GATEWAY_ID, gatewayStatic.publicKey(), random).hello();
            helloJson[i] = MessageCodec.toJson(hellos[i]).getBytes(StandardCharsets.UTF_8);
        }
        // One full exchange, so the finished check runs on a real MAC (and setup proves both sides agree).
        DeviceHandshake deviceSide = DeviceHandshake.start(device, GATEWAY_ID, gatewayStatic.publicKey(), random);
        pending = respondTo(deviceSide.hello());
        deviceSide.complete(pending.serverHello());
        finished = deviceSide.finished();
        if (!finished()) {
            throw new IllegalStateException("setup handshake does not verify");
        }
    }

    private PendingHandshake respondTo(HelloMessage hello) {
        return GatewayHandshake.respond(hello, GATEWAY_ID, gatewayStatic, deviceKemKey, NOW, TTL, 1_000_000L, random);
    }

    private int nextIndex() {
        int i = next;
        next = (i + 1) % POOL;
        return i;
    }

    @Benchmark
    public PendingHandshake respond() {
        return respondTo(hellos[nextIndex()]);
    }

    @Benchmark
    public String respondJson() {
        PendingHandshake p = respondTo(MessageCodec.parseHello(helloJson[nextIndex()]));
        return MessageCodec.toJson(p.serverHello());
    }

    @Benchmark
    public boolean finished() {
        return GatewayHandshake.finishedMacValid(pending.transcriptHash(), pending.keys().deviceFinished(),
                finished.mac());
    }
}
