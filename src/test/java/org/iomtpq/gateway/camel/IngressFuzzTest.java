package org.iomtpq.gateway.camel;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.mongodb.client.MongoDatabase;
import java.io.ByteArrayInputStream;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.bson.Document;
import org.bson.types.Binary;
import org.iomtpq.gateway.protocol.EnrollMessage;
import org.iomtpq.gateway.protocol.EnrolledMessage;
import org.iomtpq.gateway.protocol.EnrollmentVerifier;
import org.iomtpq.gateway.protocol.ErrorCode;
import org.iomtpq.gateway.protocol.ErrorMessage;
import org.iomtpq.gateway.protocol.EstablishedMessage;
import org.iomtpq.gateway.protocol.FinishedMessage;
import org.iomtpq.gateway.protocol.GatewayHandshake;
import org.iomtpq.gateway.protocol.HelloMessage;
import org.iomtpq.gateway.protocol.Hex0x;
import org.iomtpq.gateway.protocol.Identifiers;
import org.iomtpq.gateway.protocol.Limits;
import org.iomtpq.gateway.protocol.MessageCodec;
import org.iomtpq.gateway.protocol.PendingHandshake;
import org.iomtpq.gateway.protocol.ProtocolException;
import org.iomtpq.gateway.protocol.ReplayWindow;
import org.iomtpq.gateway.protocol.RotateMessage;
import org.iomtpq.gateway.protocol.RotationMessage;
import org.iomtpq.gateway.protocol.RotationVerifier;
import org.iomtpq.gateway.protocol.SignedPayloads;
import org.iomtpq.gateway.protocol.Step;
import org.iomtpq.gateway.protocol.TelemetryCrypto;
import org.iomtpq.gateway.protocol.TelemetryMessage;
import org.iomtpq.gateway.protocol.VerifiedEnrollment;
import org.iomtpq.gateway.protocol.VerifiedRotationKeys;
import org.iomtpq.gateway.protocol.Vitals;
import org.iomtpq.gateway.service.AuditTrail;
import org.iomtpq.gateway.service.RequestContext;
import org.iomtpq.gateway.service.StepRateLimits;
import org.iomtpq.gateway.store.AuditRepository;
import org.iomtpq.gateway.testsupport.FuzzFixtures;
import org.iomtpq.gateway.testsupport.FuzzOracle;
import org.iomtpq.gateway.testsupport.FuzzOracle.Outcome;

/**
 * Fuzz targets for the device ingress: what a transport hands over (an MQTT payload and its topic, an HTTP body and
 * its path's deviceId, as byte[], String, InputStream or nothing, of any size) goes through {@link DeviceIngress}, then
 * through each step's storage-free checks in the services' order (parse, body deviceId against the topic or path,
 * timestamp, keys, signatures, the handshake's KEM work, MAC, session, replay window, AEAD, plaintext) against one
 * fixed device, pending handshake and session ({@link FuzzFixtures}), and every refusal through {@link ErrorReplies},
 * the mapping the routes use. Nothing is started: a Camel context without routes or endpoints (for the exchange and
 * its type converters), and an audit trail whose store discards what it is given. The oracle: only protocol
 * exceptions, the answer is the §8 error JSON with the code's HTTP status, {@code inReplyTo} the step, a peer-safe
 * message, a dead letter exactly for the unprocessable codes and never holding more than 64 KiB, and an MQTT reply
 * topic only for a valid device id. Input framing ({@link Frame}): byte 0 chooses step, address and body form, byte 1
 * the length of the address bytes that follow, the rest is the body.
 */
class IngressFuzzTest {

    static final CamelContext CAMEL = startedContext();
    static final DeviceIngress INGRESS = new DeviceIngress(StepRateLimits.none());
    static final ErrorReplies ERRORS = new ErrorReplies(discardingAuditTrail(),
            Clock.fixed(FuzzFixtures.NOW, ZoneOffset.UTC), (id, at) -> { });
    static final SecureRandom RANDOM = new SecureRandom();
    static final Set<ErrorCode> UNPROCESSABLE = EnumSet.of(ErrorCode.MALFORMED_REQUEST, ErrorCode.VALIDATION_FAILED,
            ErrorCode.PAYLOAD_TOO_LARGE);
    /** What the ingress and the storage-free checks may answer: never UNAVAILABLE (an internal error) and nothing only
     *  a store or a token decides. */
    static final Set<ErrorCode> STEP_REFUSALS = EnumSet.of(ErrorCode.MALFORMED_REQUEST, ErrorCode.PAYLOAD_TOO_LARGE,
            ErrorCode.INVALID_KEY, ErrorCode.INVALID_SIGNATURE, ErrorCode.STALE_REQUEST, ErrorCode.UNKNOWN_DEVICE,
            ErrorCode.UNKNOWN_SESSION, ErrorCode.SESSION_EXPIRED, ErrorCode.HANDSHAKE_FAILED, ErrorCode.DECRYPT_FAILED,
            ErrorCode.REPLAY, ErrorCode.VALIDATION_FAILED);
    static final Pattern REPLY_TOPIC = Pattern.compile("^iomt/v1/([^/]+)/down$");
    static final Step[] STEPS = Step.values();

    /**
     * The fuzzer's bytes as what a transport delivers. byte 0: bits 0-2 the step (0-4; MQTT 5: the step word is the
     * address bytes, 6: a down topic, 7: no topic), bits 3-4 the address (0: the fixture device, 1: another valid
     * device, 2: the address bytes as device id, 3: the address bytes as the whole MQTT topic, or no path id over
     * HTTP), bits 5-6 the body form (byte[], String, InputStream, none), bit 7 the body padded with spaces beyond
     * 64 KiB. byte 1: the length of the address bytes (UTF-8) after it; the rest is the body.
     */
    record Frame(int step, int addressMode, int bodyForm, boolean oversize, String address, byte[] body) {
        static Frame of(byte[] data) {
            int flags = data.length > 0 ? data[0] & 0xff : 0;
            int length = data.length > 1 ? Math.min(data[1] & 0xff, data.length - 2) : 0;
            int start = Math.min(2, data.length);
            String address = new String(data, start, length, StandardCharsets.UTF_8);
            byte[] body = java.util.Arrays.copyOfRange(data, start + length, data.length);
            if ((flags & 0x80) != 0) {
                body = FuzzOracle.paddedBeyondBound(body, body.length % 11);
            }
            return new Frame(flags & 7, (flags >> 3) & 3, (flags >> 5) & 3, (flags & 0x80) != 0, address, body);
        }

        static byte[] encode(int step, int addressMode, int bodyForm, boolean oversize, String address, byte[] body) {
            byte[] a = address.getBytes(StandardCharsets.UTF_8);
            byte[] out = new byte[2 + a.length + body.length];
            out[0] = (byte) (step | addressMode << 3 | bodyForm << 5 | (oversize ? 0x80 : 0));
            out[1] = (byte) a.length;
            System.arraycopy(a, 0, out, 2, a.length);
            System.arraycopy(body, 0, out, 2 + a.length, body.length);
            return out;
        }

        String deviceId() {
            return switch (addressMode) {
                case 0 -> FuzzFixtures.DEVICE_ID;
                case 1 -> FuzzFixtures.OTHER_DEVICE_ID;
                default -> address;
            };
        }

        Object bodyAsDelivered() {
            return switch (bodyForm) {
                case 0 -> body;
                case 1 -> new String(body, StandardCharsets.UTF_8);
                case 2 -> new ByteArrayInputStream(body);
                default -> null;
            };
        }

        /** The bytes the gateway will hold: the body as delivered (byte[] or InputStream), none for no body. */
        int deliveredLength() {
            return bodyForm == 3 ? 0 : body.length;
        }
    }

    @FuzzTest(maxDuration = "2m")
    void mqtt(byte[] data) {
        Frame f = Frame.of(data);
        String topic = switch (f.step()) {
            case 5 -> "iomt/v1/" + FuzzFixtures.DEVICE_ID + "/up/" + f.address();
            case 6 -> "iomt/v1/" + f.deviceId() + "/down";
            case 7 -> null;
            default -> f.addressMode() == 3 ? f.address() : "iomt/v1/" + f.deviceId() + "/up/" + STEPS[f.step()].wire();
        };
        Exchange exchange = new DefaultExchange(CAMEL);
        if (topic != null) {
            exchange.getMessage().setHeader("CamelMqttTopic", topic);
        }
        exchange.getMessage().setHeader("CamelMqttQoS", 1);
        exchange.getMessage().setBody(f.bodyAsDelivered());
        run(f, exchange, () -> INGRESS.fromMqtt(exchange));
        String reply = exchange.getProperty(ExchangeKeys.REPLY_TOPIC, String.class);
        if (reply != null) {
            var m = REPLY_TOPIC.matcher(reply);
            if (!m.matches() || !Identifiers.isValidDeviceId(m.group(1))) {
                throw new AssertionError("an answer would go to topic " + reply);
            }
        }
    }

    @FuzzTest(maxDuration = "2m")
    void http(byte[] data) throws UnknownHostException {
        Frame f = Frame.of(data);
        Step step = STEPS[f.step() % STEPS.length];
        Exchange exchange = new DefaultExchange(CAMEL);
        if (f.addressMode() != 3) {
            exchange.getMessage().setHeader("deviceId", f.deviceId());
        }
        exchange.getMessage().setHeader(DeviceIngress.REMOTE_ADDRESS,
                new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, 0, 0, (byte) f.address().length()}), 40_000));
        exchange.getMessage().setBody(f.bodyAsDelivered());
        run(f, exchange, () -> INGRESS.fromHttp(exchange, step.wire()));
    }

    /** Ingress, then the step; a refusal becomes the answer the routes would send, and is checked. */
    private static void run(Frame f, Exchange exchange, Runnable ingress) {
        // a body that is not byte[] is converted (copied) by Camel first: only byte[] is held to the oversize bound
        int measuredInput = f.bodyForm() == 0 ? f.body().length : 0;
        Outcome<String> outcome = FuzzOracle.call("ingress+step", measuredInput, STEP_REFUSALS, () -> {
            ingress.run();
            return StorageFreeSteps.run(exchange);
        });
        byte[] raw = exchange.getProperty(ExchangeKeys.RAW_BODY, byte[].class);
        if (raw != null && f.bodyForm() != 1 && raw.length != f.deliveredLength()) { // a String: Camel's charset decides
            throw new AssertionError("the ingress kept " + raw.length + " bytes of a " + f.deliveredLength() + "-byte body");
        }
        if (outcome.accepted()) {
            if (raw == null || raw.length > Limits.MAX_MESSAGE_BYTES) {
                throw new AssertionError("a step accepted a body of " + (raw == null ? "no" : raw.length) + " bytes");
            }
            return;
        }
        // once the ingress has a step (the topic or path was fine), an oversize body is PAYLOAD_TOO_LARGE, unparsed
        if (f.bodyForm() == 0 && f.body().length > Limits.MAX_MESSAGE_BYTES && exchange.getProperty(ExchangeKeys.STEP) != null
                && outcome.code() != ErrorCode.PAYLOAD_TOO_LARGE) {
            throw new AssertionError("a body of " + f.deliveredLength() + " bytes was refused with " + outcome.code());
        }
        answerChecked(exchange, outcome.refusal());
    }

    /** What ErrorReplies makes of the refusal: the §8 error, its status, the dead letter. */
    private static void answerChecked(Exchange exchange, ProtocolException refusal) {
        exchange.setProperty(Exchange.EXCEPTION_CAUGHT, refusal);
        FuzzOracle.call("toErrorReply", 0, Set.of(), () -> {
            ERRORS.toErrorReply(exchange);
            return null;
        });
        String body = exchange.getMessage().getBody(String.class);
        ErrorMessage answer = MessageCodec.parseError(body.getBytes(StandardCharsets.UTF_8));
        RequestContext ctx = exchange.getProperty(ExchangeKeys.REQUEST, RequestContext.class);
        String expectedStep = ctx == null ? null : ctx.step().wire();
        if (answer.code() != refusal.code() || !java.util.Objects.equals(answer.inReplyTo(), expectedStep)) {
            throw new AssertionError("answer " + body + " for " + refusal);
        }
        Integer status = exchange.getProperty(ExchangeKeys.HTTP_STATUS, Integer.class);
        if (status == null || status != refusal.code().httpStatus()
                || !refusal.code().name().equals(exchange.getProperty(ExchangeKeys.ERROR_CODE))) {
            throw new AssertionError("HTTP status " + status + " for " + refusal.code());
        }
        FuzzOracle.requirePeerSafe("error answer", answer.message());
        if (answer.seq() != null && (ctx == null || ctx.step() != Step.TELEMETRY)) {
            throw new AssertionError("a seq in the answer to a " + expectedStep);
        }
        if (refusal.seq() != null && !refusal.seq().equals(answer.seq())) {
            throw new AssertionError("the answer lost the refusal's seq");
        }
        Document deadLetter = exchange.getProperty(ExchangeKeys.DEAD_LETTER, Document.class);
        if ((deadLetter != null) != UNPROCESSABLE.contains(refusal.code())) {
            throw new AssertionError("dead letter " + (deadLetter != null) + " for " + refusal.code());
        }
        if (deadLetter != null && deadLetter.get("payload", Binary.class).length() > Limits.MAX_MESSAGE_BYTES) {
            throw new AssertionError("a dead letter holds more than 64 KiB");
        }
    }

    /**
     * Each step's checks that need no store, in the order the services run them (EnrollmentService, HandshakeService,
     * TelemetryService, RotationService), against the one device, pending handshake and session of FuzzFixtures; the
     * answer JSON on success. Where a service would look the device or session up, anything but the fixture's is
     * unknown.
     */
    static final class StorageFreeSteps {
        private StorageFreeSteps() {
        }

        static String run(Exchange exchange) {
            byte[] raw = exchange.getProperty(ExchangeKeys.RAW_BODY, byte[].class);
            RequestContext ctx = exchange.getProperty(ExchangeKeys.REQUEST, RequestContext.class);
            return switch (ctx.step()) {
                case ENROLL -> enroll(raw, ctx);
                case HELLO -> hello(raw, ctx);
                case FINISHED -> finished(raw, ctx);
                case TELEMETRY -> telemetry(raw, ctx);
                case ROTATE -> rotate(raw, ctx);
            };
        }

        private static String enroll(byte[] raw, RequestContext ctx) {
            EnrollMessage m = MessageCodec.parseEnroll(raw);
            ctx.bodyDeviceId(m.deviceId());
            VerifiedEnrollment v = EnrollmentVerifier.verify(m, FuzzFixtures.NOW);
            return MessageCodec.toJson(new EnrolledMessage(m.deviceId(), "ACTIVE",
                    Hex0x.encode(SignedPayloads.deviceIdHash(m.deviceId())), v.keyCommitmentHex(), null));
        }

        private static String hello(byte[] raw, RequestContext ctx) {
            HelloMessage hello = MessageCodec.parseHello(raw);
            ctx.bodyDeviceId(hello.deviceId());
            if (!FuzzFixtures.GATEWAY_ID.equals(hello.gatewayId())) {
                throw ProtocolException.malformed("gatewayId is not this gateway's");
            }
            requireFixtureDevice(hello.deviceId());
            PendingHandshake pending = GatewayHandshake.respond(hello, FuzzFixtures.GATEWAY_ID, FuzzFixtures.GATEWAY_KEM,
                    FuzzFixtures.DEVICE.kemKeyPair().publicKey(), FuzzFixtures.NOW, Limits.DEFAULT_SESSION_TTL,
                    Limits.DEFAULT_MAX_MESSAGES, RANDOM);
            pending.keys().destroy();
            String answer = MessageCodec.toJson(pending.serverHello());
            MessageCodec.parseServerHello(answer.getBytes(StandardCharsets.UTF_8)); // what the device will read
            return answer;
        }

        private static String finished(byte[] raw, RequestContext ctx) {
            FinishedMessage finished = MessageCodec.parseFinished(raw);
            ctx.bodyDeviceId(finished.deviceId());
            if (!FuzzFixtures.DEVICE_ID.equals(finished.deviceId())
                    || !java.util.Arrays.equals(FuzzFixtures.SESSION_ID, finished.sessionId())) {
                throw ProtocolException.handshakeFailed("no pending handshake with this sessionId");
            }
            if (!GatewayHandshake.finishedMacValid(FuzzFixtures.TRANSCRIPT_HASH, FuzzFixtures.deviceFinishedKey(),
                    finished.mac())) {
                throw ProtocolException.handshakeFailed("finished MAC does not verify");
            }
            return MessageCodec.toJson(new EstablishedMessage(finished.deviceId(), finished.sessionId()));
        }

        private static String telemetry(byte[] raw, RequestContext ctx) {
            TelemetryMessage t = MessageCodec.parseTelemetry(raw);
            ctx.bodyDeviceId(t.deviceId());
            ctx.seq(t.seq());
            try {
                if (!FuzzFixtures.DEVICE_ID.equals(t.deviceId())
                        || !java.util.Arrays.equals(FuzzFixtures.SESSION_ID, t.sessionId())) {
                    throw new ProtocolException(ErrorCode.UNKNOWN_SESSION, "no established session with this id");
                }
                if (t.seq() > FuzzFixtures.SESSION_MAX_MESSAGES) {
                    throw new ProtocolException(ErrorCode.SESSION_EXPIRED, "session is over; run a new handshake");
                }
                ReplayWindow.check(t.seq(), FuzzFixtures.SESSION_HIGHEST_STORED, false);
                Vitals.parse(TelemetryCrypto.open(FuzzFixtures.deviceToGatewayKey(), t));
            } catch (ProtocolException e) {
                throw e.seq() == null ? e.withSeq(t.seq()) : e;
            }
            return MessageCodec.toJson(new org.iomtpq.gateway.protocol.AckMessage(t.seq()));
        }

        private static String rotate(byte[] raw, RequestContext ctx) {
            RotateMessage m = MessageCodec.parseRotate(raw);
            ctx.bodyDeviceId(m.deviceId());
            VerifiedRotationKeys keys = RotationVerifier.checkTimestampAndKeys(m, FuzzFixtures.NOW);
            requireFixtureDevice(m.deviceId());
            RotationVerifier.verifySignatures(m, keys, FuzzFixtures.DEVICE.sigKeyPair().publicKey(),
                    FuzzFixtures.DEVICE_COMMITMENT);
            return MessageCodec.toJson(new RotationMessage(m.deviceId(), "PENDING_CHAIN", keys.keyCommitmentHex(), null));
        }

        private static void requireFixtureDevice(String deviceId) {
            if (!FuzzFixtures.DEVICE_ID.equals(deviceId)) {
                throw new ProtocolException(ErrorCode.UNKNOWN_DEVICE, "unknown device");
            }
        }
    }

    private static CamelContext startedContext() {
        DefaultCamelContext context = new DefaultCamelContext();
        context.start(); // no routes, no endpoints: only the registry and the type converters the exchange uses
        return context;
    }

    /** An audit trail whose store takes every entry and keeps none (no MongoDB, no socket). */
    private static AuditTrail discardingAuditTrail() {
        MongoDatabase db = (MongoDatabase) discarding(MongoDatabase.class);
        return new AuditTrail("fuzz/ingress", FuzzFixtures.GATEWAY_ID, new AuditRepository(db), Clock.systemUTC(),
                Duration.ofSeconds(10), 20);
    }

    /** A proxy of a driver interface: fluent calls return proxies, queries find nothing, writes do nothing. */
    private static Object discarding(Class<?> type) {
        return Proxy.newProxyInstance(IngressFuzzTest.class.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            Class<?> r = method.getReturnType();
            if (method.getName().equals("toString")) {
                return "discarding " + type.getSimpleName();
            }
            if (method.getName().equals("hashCode")) {
                return System.identityHashCode(proxy);
            }
            if (method.getName().equals("equals")) {
                return proxy == args[0];
            }
            if (r == Object.class || r == void.class) {
                return null;
            }
            if (r.isInstance(proxy)) {
                return proxy;
            }
            if (r.isInterface()) {
                return discarding(r);
            }
            if (r == boolean.class) {
                return false;
            }
            if (r == long.class) {
                return 0L;
            }
            if (r == int.class) {
                return 0;
            }
            return null;
        });
    }
}
