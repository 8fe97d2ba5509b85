package org.iomtpq.gateway.camel;

import java.security.cert.Certificate;

import javax.net.ssl.SSLPeerUnverifiedException;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SslHandler;
import org.apache.camel.Exchange;
import org.apache.camel.component.netty.NettyConstants;
import org.apache.camel.Message;
import org.apache.camel.component.netty.http.NettyHttpMessage;
import org.iomtpq.gateway.protocol.MessageCodec;
import org.iomtpq.gateway.protocol.Step;
import org.iomtpq.gateway.service.RequestContext;
import org.iomtpq.gateway.service.Transport;
import org.iomtpq.gateway.protocol.ErrorCode;
import org.iomtpq.gateway.protocol.ProtocolException;
import org.iomtpq.gateway.service.Authorizer;
import org.iomtpq.gateway.service.StepRateLimits;
import org.iomtpq.gateway.service.GatewayInfo;
import org.iomtpq.gateway.service.OperatorCommands;
import org.iomtpq.gateway.service.OperatorQueries;

/**
 * The operator API's adapters: each checks the bearer token first (PROTOCOL.md §3), then reads path and query
 * values from headers and calls the service. Observations are PHI: operators only.
 */
public final class OperatorApi {

    private final Authorizer authorizer;
    private final StepRateLimits limits;
    private final OperatorQueries queries;
    private final OperatorCommands commands;
    private final GatewayInfo gatewayInfo;
    private final boolean clientCertificateRequired;

    /**
     * @param clientCertificateRequired the operator and auditor must also present a TLS client certificate (the API's
     *                                  TLS has verified it against {@code iomt.tls.client-ca-file} in the handshake)
     */
    public OperatorApi(Authorizer authorizer, StepRateLimits limits, OperatorQueries queries, OperatorCommands commands,
                       GatewayInfo gatewayInfo, boolean clientCertificateRequired) {
        this.clientCertificateRequired = clientCertificateRequired;
        this.authorizer = authorizer;
        this.limits = limits;
        this.queries = queries;
        this.commands = commands;
        this.gatewayInfo = gatewayInfo;
    }

    /** Enrollment over HTTP: the operator token is the approval, checked before the body is even read. */
    public void enrollAuthorization(Exchange e) {
        e.setProperty(ExchangeKeys.TRANSPORT, Transport.HTTP.wireName());
        e.setProperty(ExchangeKeys.REQUEST, new RequestContext(Transport.HTTP, Step.ENROLL, null));
        authorize(e, true);
    }

    public void approve(Exchange e) {
        start(e, true);
        DeviceSteps.answer(e, 201, commands.approve(header(e, "deviceId"), e.getMessage().getBody(byte[].class)));
    }

    public void revoke(Exchange e) {
        start(e, true);
        DeviceSteps.answer(e, 200, commands.revoke(header(e, "deviceId"), e.getMessage().getBody(byte[].class)));
    }

    public void listDevices(Exchange e) {
        start(e, false);
        ok(e, queries.listDevices(header(e, "limit"), header(e, "offset")));
    }

    public void device(Exchange e) {
        start(e, false);
        ok(e, queries.device(header(e, "deviceId")));
    }

    public void status(Exchange e) {
        start(e, false);
        ok(e, queries.status(header(e, "deviceId")));
    }

    public void deviceAudit(Exchange e) {
        start(e, false);
        ok(e, queries.deviceAudit(header(e, "deviceId"), header(e, "limit")));
    }

    public void gatewayAudit(Exchange e) {
        start(e, false);
        ok(e, queries.gatewayAudit(header(e, "gatewayId"), header(e, "limit")));
    }

    public void streamAudit(Exchange e) {
        start(e, false);
        ok(e, queries.streamAudit(header(e, "stream"), header(e, "fromSeq"), header(e, "limit")));
    }

    public void stats(Exchange e) {
        start(e, false);
        ok(e, queries.stats());
    }

    public void observations(Exchange e) {
        start(e, true);
        ok(e, queries.observations(header(e, "deviceId"), header(e, "limit")));
    }

    /** Public endpoints: no token. */
    public void registration(Exchange e) {
        e.setProperty(ExchangeKeys.TRANSPORT, Transport.HTTP.wireName());
        ok(e, queries.registration(header(e, "deviceId")));
    }

    public void gatewayRecord(Exchange e) {
        e.setProperty(ExchangeKeys.TRANSPORT, Transport.HTTP.wireName());
        ok(e, MessageCodec.toJson(gatewayInfo.record()));
    }

    private void start(Exchange e, boolean operatorOnly) {
        e.setProperty(ExchangeKeys.TRANSPORT, Transport.HTTP.wireName());
        authorize(e, operatorOnly);
    }

    /** A source that failed to authenticate too often is refused before its token is even compared. */
    private void authorize(Exchange e, boolean operatorOnly) {
        String source = DeviceIngress.sourceAddress(e);
        limits.admitAuthentication(source);
        String token = authorization(e);
        try {
            if (clientCertificateRequired && !presentedClientCertificate(e)) {
                throw new ProtocolException(ErrorCode.UNAUTHORIZED, "a TLS client certificate is required");
            }
            if (operatorOnly) {
                authorizer.requireOperator(token);
            } else {
                authorizer.requireReader(token);
            }
        } catch (ProtocolException refused) {
            if (refused.code() == ErrorCode.UNAUTHORIZED) {
                limits.authenticationFailed(source);
            }
            throw refused;
        }
    }

    /**
     * Whether this request's TLS connection carried a client certificate. The handshake verified it (an untrusted one
     * fails the handshake, see ProtectionWiring.apiTls); only its presence is asked here.
     */
    private static boolean presentedClientCertificate(Exchange e) {
        ChannelHandlerContext ctx = e.getMessage().getHeader(NettyConstants.NETTY_CHANNEL_HANDLER_CONTEXT,
                ChannelHandlerContext.class);
        SslHandler tls = ctx == null ? null : ctx.pipeline().get(SslHandler.class);
        if (tls == null) {
            return false;
        }
        try {
            Certificate[] chain = tls.engine().getSession().getPeerCertificates();
            return chain != null && chain.length > 0;
        } catch (SSLPeerUnverifiedException none) {
            return false;
        }
    }

    private static void ok(Exchange e, String json) {
        DeviceSteps.answer(e, 200, json);
    }

    /**
     * The {@code Authorization} header as the client sent it. The REST configuration URL-decodes header values (for
     * query values such as {@code ?stream=gateway-01%2Fabc}); a bearer token is not URL-encoded, and decoding it would
     * turn a {@code +} into a space and refuse a valid token. So the raw request header is read where there is one.
     */
    private static String header(Exchange e, String name) {
        return e.getMessage().getHeader(name, String.class);
    }

    private static String authorization(Exchange e) {
        Message m = e.getMessage();
        if (m instanceof NettyHttpMessage netty && netty.getHttpRequest() != null) {
            return netty.getHttpRequest().headers().get("Authorization");
        }
        return m.getHeader("Authorization", String.class);
    }
}
