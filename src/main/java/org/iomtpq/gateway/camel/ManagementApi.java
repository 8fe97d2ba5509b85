package org.iomtpq.gateway.camel;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.iomtpq.gateway.observe.GatewayMetrics;
import org.iomtpq.gateway.observe.HealthChecks;
import org.iomtpq.gateway.service.RequestContext;

/**
 * The management port ({@code routes/management.camel.yaml}): {@code /observe/health}, {@code /observe/health/live},
 * {@code /observe/health/ready} and {@code /observe/metrics} (Prometheus text), GET only, no authentication (it binds
 * to loopback by default; nothing it answers is a secret or PHI). Also the reply route's step that counts every
 * answered device message.
 */
public final class ManagementApi {

    private static final String PREFIX = "/observe";

    private final GatewayMetrics metrics;
    private final HealthChecks health;

    public ManagementApi(GatewayMetrics metrics, HealthChecks health) {
        this.metrics = metrics;
        this.health = health;
    }

    /** Counts the answer about to leave; operator API answers carry no request context and are not counted. */
    public void answered(Exchange exchange) {
        RequestContext ctx = exchange.getProperty(ExchangeKeys.REQUEST, RequestContext.class);
        if (ctx != null) {
            metrics.answered(ctx.transport().wireName(), ctx.step().wire(),
                    exchange.getProperty(ExchangeKeys.ERROR_CODE, String.class),
                    exchange.getClock().elapsed() * 1_000_000L);
        }
    }

    public void answer(Exchange exchange) {
        Message in = exchange.getMessage();
        String path = in.getHeader(Exchange.HTTP_PATH, "", String.class);
        String method = in.getHeader(Exchange.HTTP_METHOD, "GET", String.class);
        String full = path.startsWith(PREFIX) ? path : PREFIX + path;
        in.removeHeaders("*");
        if (!"GET".equals(method)) {
            reply(in, 405, "application/json", "{\"status\":\"METHOD_NOT_ALLOWED\"}");
            return;
        }
        switch (full.endsWith("/") ? full.substring(0, full.length() - 1) : full) {
            case "/observe/health/live" -> reply(in, 200, "application/json", "{\"status\":\"UP\"}");
            case "/observe/health", "/observe/health/ready" -> ready(in);
            case "/observe/metrics" -> reply(in, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape());
            default -> reply(in, 404, "application/json", "{\"status\":\"NOT_FOUND\"}");
        }
    }

    /** 200 when every part is up, 503 naming those that are not. */
    private void ready(Message in) {
        HealthChecks.Report report = health.check();
        StringBuilder json = new StringBuilder("{\"status\":\"").append(report.ready() ? "UP" : "DOWN").append("\",\"parts\":{");
        String sep = "";
        for (var part : report.parts().entrySet()) {
            json.append(sep).append('"').append(part.getKey()).append("\":\"").append(part.getValue() ? "UP" : "DOWN").append('"');
            sep = ",";
        }
        json.append('}');
        if (!report.ready()) {
            json.append(",\"down\":[");
            sep = "";
            for (String part : report.down()) {
                json.append(sep).append('"').append(part).append('"');
                sep = ",";
            }
            json.append(']');
        }
        reply(in, report.ready() ? 200 : 503, "application/json", json.append('}').toString());
    }

    private static void reply(Message m, int status, String contentType, String body) {
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        m.setHeader(Exchange.CONTENT_TYPE, contentType);
        m.setHeader("Cache-Control", "no-store");
        m.setBody(body);
    }
}
