package org.iomtpq.gateway.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslContext;
import org.apache.camel.CamelContext;
import org.apache.camel.component.netty.NettyServerBootstrapFactory;
import org.apache.camel.component.netty.http.DefaultNettySharedHttpServer;
import org.apache.camel.component.netty.http.HttpServerBootstrapFactory;
import org.apache.camel.component.netty.http.HttpServerConsumerChannelFactory;
import org.apache.camel.component.netty.http.HttpServerSharedInitializerFactory;
import org.apache.camel.component.netty.http.NettySharedHttpServer;
import org.apache.camel.component.netty.http.NettySharedHttpServerBootstrapConfiguration;
import org.apache.camel.component.netty.http.handlers.HttpServerMultiplexChannelHandler;
import org.apache.camel.support.service.ServiceHelper;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.camel.util.concurrent.CamelThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API's HTTP server: netty-http's shared server (every REST route on one port, as netty-http's own), with its
 * connections guarded below HTTP by two handlers added to netty-http's pipeline. Wired as the REST configuration's
 * {@code nettySharedHttpServer}: netty-http ignores a {@code serverInitializerFactory} for the servers it makes
 * itself, a shared server is where the pipeline can be had.
 * <ul>
 *   <li>a request must arrive whole within {@code requestTimeout} of its first byte, or of the connection opening:
 *       a client that sends headers slowly or never finishes them is disconnected (slowloris);</li>
 *   <li>a kept-alive connection with no request is closed after {@code idleTimeout};</li>
 *   <li>at most {@code perSource} open connections per client IP address; the next one is answered 429 RATE_LIMITED
 *       (PROTOCOL.md §8) and closed before any HTTP is parsed.</li>
 * </ul>
 * While the gateway works on a request (a store write, a chain answer it waits for) no timer runs.
 */
public final class HttpConnectionGuard extends ServiceSupport implements NettySharedHttpServer {

    private static final Logger LOG = LoggerFactory.getLogger(HttpConnectionGuard.class);

    /** The limits; {@link #perSource} at least 1. */
    public record Limits(Duration requestTimeout, Duration idleTimeout, int perSource) {
        public Limits {
            if (requestTimeout.isNegative() || requestTimeout.isZero() || idleTimeout.isNegative() || idleTimeout.isZero()
                    || perSource < 1) {
                throw new IllegalArgumentException("timeouts must be positive and the per-source cap at least 1");
            }
        }
    }

    static final String REFUSAL_JSON = "{\"type\":\"error\",\"v\":1,\"code\":\"RATE_LIMITED\","
            + "\"message\":\"too many open connections from this address\"}";
    private static final byte[] REFUSAL = ("HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\n"
            + "Connection: close\r\nContent-Length: " + REFUSAL_JSON.length() + "\r\n\r\n" + REFUSAL_JSON)
            .getBytes(StandardCharsets.US_ASCII);

    private final Limits limits;
    private final ConcurrentHashMap<InetAddress, Integer> open = new ConcurrentHashMap<>();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong timedOut = new AtomicLong();
    private NettySharedHttpServerBootstrapConfiguration configuration;
    private CamelContext camelContext;
    private HttpServerConsumerChannelFactory channelFactory;
    private HeldBootstrap bootstrapFactory;
    private boolean startServer = true;
    private String threadNamePattern = DefaultNettySharedHttpServer.DEFAULT_PATTERN;

    private final SslContext tls;

    /** @param tls the API's TLS (netty's, TLS 1.3 and 1.2 only), or null: plain HTTP */
    public HttpConnectionGuard(Limits limits, String host, int port, SslContext tls) {
        this.limits = limits;
        this.tls = tls;
        NettySharedHttpServerBootstrapConfiguration c = new NettySharedHttpServerBootstrapConfiguration();
        c.setHost(host);
        c.setPort(port);
        this.configuration = c;
    }

    /** Connections refused for the per-source cap, and closed by a timeout, since start. */
    public long[] counts() {
        return new long[] {refused.get(), timedOut.get()};
    }

    @Override
    public void setNettyServerBootstrapConfiguration(NettySharedHttpServerBootstrapConfiguration configuration) {
        this.configuration = configuration;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public void setStartServer(boolean startServer) {
        this.startServer = startServer;
    }

    @Override
    public void setThreadNamePattern(String pattern) {
        this.threadNamePattern = pattern;
    }

    @Override
    public int getPort() {
        return configuration.getPort();
    }

    @Override
    public HttpServerConsumerChannelFactory getConsumerChannelFactory() {
        return channelFactory;
    }

    @Override
    public NettyServerBootstrapFactory getServerBootstrapFactory() {
        return bootstrapFactory;
    }

    @Override
    public int getConsumersSize() {
        return channelFactory == null ? 0 : channelFactory.consumers();
    }

    /**
     * As netty-http's DefaultNettySharedHttpServer starts, with the guarded pipeline, but without listening yet: the
     * REST routes attach to it as Camel starts them, and {@link #openPort()} listens once all of them are there.
     */
    @Override
    protected void doStart() throws Exception {
        configuration.setProtocol("tcp");
        channelFactory = new HttpServerMultiplexChannelHandler();
        channelFactory.init(configuration.getPort());
        String threadName = threadNamePattern.replaceFirst("#port#", Integer.toString(configuration.getPort()));
        bootstrapFactory = new HeldBootstrap(channelFactory);
        bootstrapFactory.init(new CamelThreadFactory(threadName, "NettySharedHttpServer", true), configuration,
                new GuardedPipeline(configuration, channelFactory, camelContext));
        ServiceHelper.startService(channelFactory, bootstrapFactory);
    }

    /**
     * Listens on the API's port. Called after Camel has started every route: a request that came while the routes
     * were still attaching would get netty-http's bare 404 for a path not there yet, which a device reads as
     * UNKNOWN_SESSION or UNKNOWN_DEVICE; until now the port refuses connections, which a device retries.
     */
    public void openPort() throws Exception {
        if (startServer) {
            bootstrapFactory.open();
        }
    }

    @Override
    protected void doStop() {
        ServiceHelper.stopService(bootstrapFactory, channelFactory);
    }

    /**
     * netty-http's bootstrap for a shared server, whose start (by the first route consumer to start) does not listen
     * yet: {@link #open()} does.
     */
    private static final class HeldBootstrap extends HttpServerBootstrapFactory {
        private volatile boolean listening;

        HeldBootstrap(HttpServerConsumerChannelFactory channels) {
            super(channels, false);
        }

        @Override
        protected void doStart() {
            // nothing yet: open() listens
        }

        synchronized void open() throws Exception {
            if (!listening) {
                startServerBootstrap();
                listening = true;
            }
        }

        @Override
        protected synchronized void doStop() throws Exception {
            if (listening) {
                listening = false;
                stopServerBootstrap();
            }
        }
    }

    /** netty-http's pipeline for a shared server, with the guard's handlers around it. */
    private final class GuardedPipeline extends HttpServerSharedInitializerFactory {

        GuardedPipeline(NettySharedHttpServerBootstrapConfiguration configuration, HttpServerConsumerChannelFactory channels,
                        CamelContext camelContext) {
            super(configuration, channels, camelContext);
        }

        @Override
        protected void initChannel(Channel ch) throws Exception {
            InetAddress source = addressOf(ch.remoteAddress());
            if (source != null) {
                if (open.merge(source, 1, Integer::sum) > limits.perSource()) {
                    release(source);
                    refused.incrementAndGet();
                    ch.writeAndFlush(Unpooled.wrappedBuffer(REFUSAL)).addListener(ChannelFutureListener.CLOSE);
                    return;
                }
                ch.closeFuture().addListener(f -> release(source));
            }
            super.initChannel(ch);
            if (tls != null) {
                ch.pipeline().addFirst("ssl", tls.newHandler(ch.alloc()));
            }
            Deadline deadline = new Deadline();
            // first of all, so that a TLS handshake that never finishes is timed too
            ch.pipeline().addFirst("iomt-request-start", deadline.firstBytes);
            if (ch.pipeline().get("aggregator") != null) {
                ch.pipeline().addAfter("aggregator", "iomt-request-end", deadline.wholeRequests);
            } else {
                ch.pipeline().addBefore("handler", "iomt-request-end", deadline.wholeRequests);
            }
        }
    }

    private void release(InetAddress source) {
        open.computeIfPresent(source, (a, n) -> n <= 1 ? null : n - 1);
    }

    private static InetAddress addressOf(SocketAddress address) {
        return address instanceof InetSocketAddress socket ? socket.getAddress() : null;
    }

    /**
     * One connection's timer; every call is on the channel's event loop. Waiting: no request begun (the idle
     * timeout, or the request timeout on a new connection); reading: bytes of a request came, it is not whole yet
     * (the request timeout); handling: the gateway works on it (no timer) until its answer is written.
     */
    private final class Deadline {
        private boolean reading;
        private boolean handling;
        private ScheduledFuture<?> timer;

        final ChannelInboundHandlerAdapter firstBytes = new ChannelInboundHandlerAdapter() {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                arm(ctx, limits.requestTimeout());
                ctx.fireChannelActive();
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (!reading && !handling) {
                    reading = true;
                    arm(ctx, limits.requestTimeout());
                }
                ctx.fireChannelRead(msg);
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                cancel();
                ctx.fireChannelInactive();
            }
        };

        final ChannelDuplexHandler wholeRequests = new ChannelDuplexHandler() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof FullHttpRequest) {
                    cancel();
                    reading = false;
                    handling = true;
                }
                ctx.fireChannelRead(msg);
            }

            /**
             * A connection the client broke below HTTP (plain text on the TLS port, an untrusted certificate, a reset,
             * an unparseable request line): closed, logged at DEBUG only, so that a flood of them cannot fill the log
             * with stack traces.
             */
            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                if (cause instanceof DecoderException || cause instanceof IOException) {
                    LOG.debug("API connection from {} closed: {}", ctx.channel().remoteAddress(), cause.toString());
                    ctx.close();
                    return;
                }
                ctx.fireExceptionCaught(cause);
            }

            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                if (msg instanceof LastHttpContent) {
                    // the answer's last part: from here the connection waits for the next request
                    promise.addListener(f -> {
                        handling = false;
                        if (!reading && ctx.channel().isActive()) {
                            arm(ctx, limits.idleTimeout());
                        }
                    });
                }
                ctx.write(msg, promise);
            }
        };

        private void arm(ChannelHandlerContext ctx, Duration after) {
            cancel();
            Channel channel = ctx.channel();
            timer = ctx.executor().schedule(() -> {
                timedOut.incrementAndGet();
                channel.close();
            }, after.toMillis(), TimeUnit.MILLISECONDS);
        }

        private void cancel() {
            if (timer != null) {
                timer.cancel(false);
                timer = null;
            }
        }
    }
}
