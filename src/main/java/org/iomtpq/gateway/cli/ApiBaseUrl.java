package org.iomtpq.gateway.cli;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.util.Locale;

/**
 * The base URL of a gateway's HTTP API as the commands take it. People give the server ({@code http://host:8080}) as
 * often as the API ({@code http://host:8080/api/v1}), with or without a trailing slash: all of them mean the API, so
 * all are accepted and normalized to end in {@code /api/v1} (a path before it, from a reverse proxy, is kept). And the
 * two ways a wrong URL shows only when it is used, each said in one line that names the URL and what to change.
 */
public final class ApiBaseUrl {

    public static final String API_PATH = "/api/v1";
    public static final String EXAMPLE = "http://127.0.0.1:8080" + API_PATH;

    private ApiBaseUrl() {
    }

    /** {@code http(s)://HOST[:PORT][/prefix][/api/v1][/]} to {@code http(s)://HOST[:PORT][/prefix]/api/v1}. */
    public static String normalize(String url) {
        String normalized = normalizeOrNull(url);
        if (normalized == null) {
            throw new UsageException("expected an http:// or https:// URL of the gateway, e.g. " + EXAMPLE + ", got '"
                    + url + "'");
        }
        return normalized;
    }

    static String normalizeOrNull(String url) {
        URI uri = ValueKind.uriOrNull(url);
        if (uri == null || uri.getScheme() == null || uri.getHost() == null || uri.getRawQuery() != null
                || uri.getRawFragment() != null) {
            return null;
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return null;
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath().replaceAll("/+$", "");
        return scheme + "://" + uri.getRawAuthority() + (path.endsWith(API_PATH) ? path : path + API_PATH);
    }

    /** Nothing answered at {@code base}: the gateway is not running there (or the host or port is wrong). */
    public static String unreachable(String base, IOException e) {
        return "cannot reach " + base + " (" + reason(e) + "): is the gateway running? (./iomt gateway)";
    }

    /**
     * Something answered at {@code base}, but not the gateway's API: typically a URL with a wrong path or port.
     * {@code answered}: what {@code GET base + path} got, e.g. "answered 404".
     */
    public static String notAGateway(String base, String path, String answered) {
        return base + " is not an IoMT gateway API (GET " + base + path + " " + answered
                + "); pass the gateway's base URL, e.g. " + EXAMPLE;
    }

    /**
     * The JDK's HTTP client says "connection refused" with a ConnectException that has no message, and "unknown host"
     * with one that has an UnresolvedAddressException somewhere among its causes.
     */
    static String reason(IOException e) {
        if (e instanceof ConnectException) {
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof UnresolvedAddressException) {
                    return "unknown host";
                }
            }
            return e.getMessage() == null ? "connection refused" : OneLine.of(e.getMessage());
        }
        if (e instanceof HttpTimeoutException) {
            return "no answer in time";
        }
        return OneLine.describe(e);
    }
}
