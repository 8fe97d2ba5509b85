package org.iomtpq.gateway.camel;

import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.camel.Exchange;
import org.iomtpq.gateway.protocol.Identifiers;
import org.iomtpq.gateway.protocol.Limits;
import org.iomtpq.gateway.protocol.ProtocolException;
import org.iomtpq.gateway.protocol.Step;
import org.iomtpq.gateway.service.RequestContext;
import org.iomtpq.gateway.service.StepRateLimits;
import org.iomtpq.gateway.service.Transport;

/**
 * First step of every device message: reads the bytes once, enforces the 64 KiB limit, and records where the
 * message came from and where its answer goes. Nothing the message says is trusted here.
 */
public final class DeviceIngress {

    static final Pattern UP_TOPIC = Pattern.compile("^iomt/v1/([^/]+)/up/([^/]+)$");
    /** netty-http's header with the peer's socket address. */
    static final String REMOTE_ADDRESS = "CamelNettyRemoteAddress";

    private final StepRateLimits limits;

    public DeviceIngress(StepRateLimits limits) {
        this.limits = limits;
    }

    /**
     * MQTT: iomt/v1/{deviceId}/up/{step}. A topic whose device id is not valid gets no answer (there is no valid down
     * topic). CamelMqttTopic is the topic the message was published on (Paho's, from the PUBLISH packet), also under a
     * shared subscription ({@code $share/{group}/...} is only the filter).
     */
    public void fromMqtt(Exchange exchange) {
        String topic = exchange.getMessage().getHeader("CamelMqttTopic", String.class);
        byte[] body = readBody(exchange);
        exchange.getMessage().removeHeaders("*");
        arrived(exchange, Transport.MQTT, topic);
        Matcher m = UP_TOPIC.matcher(topic == null ? "" : topic);
        if (!m.matches() || !Identifiers.isValidDeviceId(m.group(1))) {
            throw ProtocolException.malformed("not a device topic");
        }
        String deviceId = m.group(1);
        exchange.setProperty(ExchangeKeys.REPLY_TOPIC, "iomt/v1/" + deviceId + "/down");
        Optional<Step> step = Step.fromWire(m.group(2));
        if (step.isEmpty()) {
            throw ProtocolException.malformed("unknown step in topic");
        }
        start(exchange, new RequestContext(Transport.MQTT, step.get(), deviceId), body, null);
    }

    /** HTTP device steps; {@code deviceId} is the path's (rotate), or null. */
    public void fromHttp(Exchange exchange, String stepWire) {
        Step step = Step.fromWire(stepWire).orElseThrow(() -> new IllegalArgumentException("route names unknown step " + stepWire));
        String pathDeviceId = step == Step.ROTATE ? exchange.getMessage().getHeader("deviceId", String.class) : null;
        byte[] body = readBody(exchange);
        arrived(exchange, Transport.HTTP, Transport.HTTP.wireName() + " " + step.wire());
        if (pathDeviceId != null && !Identifiers.isValidDeviceId(pathDeviceId)) {
            exchange.setProperty(ExchangeKeys.REQUEST, new RequestContext(Transport.HTTP, step, null));
            throw ProtocolException.malformed("deviceId in the path is not valid");
        }
        start(exchange, new RequestContext(Transport.HTTP, step, pathDeviceId), body, sourceAddress(exchange));
    }

    /**
     * A device message, even one too broken for a {@link RequestContext} (an MQTT topic that names no device step):
     * its failures are dead-lettered. {@code source} (the topic, or the HTTP step) is recorded with them.
     */
    private static void arrived(Exchange exchange, Transport transport, String source) {
        exchange.setProperty(ExchangeKeys.TRANSPORT, transport.wireName());
        exchange.setProperty(ExchangeKeys.SOURCE, source);
        exchange.setProperty(ExchangeKeys.DEVICE_MESSAGE, true);
    }

    /** The rate limits come first: a refused request costs no more than this. */
    private void start(Exchange exchange, RequestContext ctx, byte[] body, String source) {
        ctx.source(source);
        exchange.setProperty(ExchangeKeys.REQUEST, ctx);
        exchange.setProperty(ExchangeKeys.STEP, ctx.step().wire());
        limits.admit(ctx);
        if (body.length > Limits.MAX_MESSAGE_BYTES) {
            throw ProtocolException.tooLarge("messages are limited to 64 KiB");
        }
    }

    /** The HTTP peer's IP address (no port: one host's connections are one source), or null where unknown. */
    static String sourceAddress(Exchange exchange) {
        Object address = exchange.getMessage().getHeader(REMOTE_ADDRESS);
        if (address instanceof InetSocketAddress socket && socket.getAddress() != null) {
            return socket.getAddress().getHostAddress();
        }
        return null;
    }

    static byte[] readBody(Exchange exchange) {
        byte[] body = exchange.getMessage().getBody(byte[].class);
        if (body == null) {
            body = new byte[0];
        }
        exchange.setProperty(ExchangeKeys.RAW_BODY, body);
        exchange.getMessage().setBody(body);
        return body;
    }
}
