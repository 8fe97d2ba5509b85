package org.iomtpq.gateway.simulator;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.iomtpq.gateway.cli.ApiBaseUrl;
import org.iomtpq.gateway.cli.CommandFailure;
import org.iomtpq.gateway.crypto.MlKemPublicKey;
import org.iomtpq.gateway.protocol.GatewayRecord;
import org.iomtpq.gateway.protocol.MessageCodec;
import org.iomtpq.gateway.protocol.ProtocolException;

/** The operator side of the demo and simulator: gateway record, MQTT approvals, revocation, statistics. */
public final class OperatorClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A call that did not get a 2xx answer: {@code status} the HTTP status, or 0 when it did not reach the gateway. */
    static final class CallFailed extends IllegalStateException {
        private static final long serialVersionUID = 1L;
        final int status;

        CallFailed(String message, int status, Throwable cause) {
            super(message, cause);
            this.status = status;
        }
    }

    private final HttpClient client;
    private final String baseUrl;
    private final String token;

    public OperatorClient(String baseUrl, String token) {
        this(baseUrl, token, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build());
    }

    /** With a client of the caller's (e.g. one that trusts a development CA for HTTPS). */
    public OperatorClient(String baseUrl, String token, HttpClient client) {
        this.baseUrl = baseUrl;
        this.token = token;
        this.client = client;
    }

    /**
     * Fetches the gateway record and checks that its kemKeyHash matches its key (PROTOCOL.md §5). The first call a run
     * makes, so it is where a wrong base URL shows: nothing answering there, or something that is not the gateway's
     * API, is a {@link CommandFailure} saying which URL to change.
     */
    public GatewayRecord gatewayRecord() {
        GatewayRecord record;
        try {
            record = MessageCodec.parseGatewayRecord(call("GET", "/gateway", null).getBytes(StandardCharsets.UTF_8));
        } catch (CallFailed e) {
            if (e.status == 0 && e.getCause() instanceof IOException unreachable) {
                throw new CommandFailure(ApiBaseUrl.unreachable(baseUrl, unreachable), CommandFailure.FIX_AND_RETRY, e);
            }
            if (e.status == 404) {
                throw new CommandFailure(ApiBaseUrl.notAGateway(baseUrl, "/gateway", "answered 404"), CommandFailure.FIX_AND_RETRY, e);
            }
            throw e;
        } catch (ProtocolException e) {
            throw new CommandFailure(ApiBaseUrl.notAGateway(baseUrl, "/gateway", "answered something that is not a gateway record"),
                    CommandFailure.FIX_AND_RETRY, e);
        }
        if (!record.kemKeyHashMatches()) {
            throw new IllegalStateException("gateway record's kemKeyHash does not match its key");
        }
        return record;
    }

    public MlKemPublicKey gatewayKey() {
        return MlKemPublicKey.fromBytes(gatewayRecord().kemPublicKey());
    }

    public JsonNode approve(String deviceId, int ttlSeconds) {
        return json(call("POST", "/devices/" + deviceId + "/approval", "{\"ttlSeconds\":" + ttlSeconds + "}"));
    }

    public JsonNode revoke(String deviceId, String reason) {
        return json(call("DELETE", "/devices/" + deviceId, JSON.createObjectNode().put("reason", reason).toString()));
    }

    public JsonNode stats() {
        return json(call("GET", "/stats", null));
    }

    public JsonNode get(String path) {
        return json(call("GET", path, null));
    }

    private String call(String method, String path, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        try {
            HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() >= 300) {
                throw new CallFailed(method + " " + path + " answered " + r.statusCode() + ": " + r.body(), r.statusCode(), null);
            }
            return r.body();
        } catch (IOException e) {
            throw new CallFailed(method + " " + path + " failed: " + e.getMessage(), 0, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static JsonNode json(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new IllegalStateException("not JSON: " + e.getMessage(), e);
        }
    }
}
