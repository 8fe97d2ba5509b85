package org.iomtpq.gateway.simulator;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

import org.iomtpq.gateway.protocol.Step;

/** The device steps over HTTP. Enrollment carries the operator token (PROTOCOL.md §3): the operator enrolls the device. */
public final class HttpDeviceTransport implements DeviceTransport {

    private final HttpClient client;
    private final String baseUrl;
    private final String operatorToken;

    /** {@code baseUrl} like http://127.0.0.1:8080/api/v1 */
    public HttpDeviceTransport(String baseUrl, String operatorToken) {
        this(baseUrl, operatorToken, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build());
    }

    /** With a client of the caller's (e.g. one that trusts a development CA for HTTPS). */
    public HttpDeviceTransport(String baseUrl, String operatorToken, HttpClient client) {
        this.baseUrl = baseUrl;
        this.operatorToken = operatorToken;
        this.client = client;
    }

    @Override
    public Optional<GatewayAnswer> send(String deviceId, Step step, String json, Duration timeout) {
        String path = switch (step) {
            case ENROLL -> "/devices";
            case HELLO -> "/handshake/hello";
            case FINISHED -> "/handshake/finished";
            case TELEMETRY -> "/telemetry";
            case ROTATE -> "/devices/" + deviceId + "/rotate";
        };
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (step == Step.ENROLL && operatorToken != null) {
            request.header("Authorization", "Bearer " + operatorToken);
        }
        try {
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return Optional.of(new GatewayAnswer(response.statusCode(), response.body()));
        } catch (IOException e) {
            throw new IllegalStateException("HTTP " + step.wire() + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public String name() {
        return "http";
    }

    @Override
    public void close() {
        // java.net.http.HttpClient needs no closing on Java 17
    }
}
