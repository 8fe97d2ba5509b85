package org.iomtpq.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.iomtpq.gateway.protocol.ErrorCode;

/** Checks on what the gateway answered: the §8 error shape, no leaks, no echoed credentials. */
public final class Answers {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Answers() {
    }

    public static JsonNode json(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return fail("answer is not JSON: " + body);
        }
    }

    /** HTTP: status, §8 shape, no stack trace, no Authorization header echoed. */
    public static JsonNode assertError(GatewayFixture.Response r, ErrorCode code, String inReplyTo, String... secrets) {
        assertEquals(code.httpStatus(), r.status(), "HTTP status for " + code + "; body " + r.body());
        assertNoEchoedCredentials(r, secrets);
        return assertErrorJson(r.body(), code, inReplyTo);
    }

    /** The error JSON (HTTP body or MQTT payload) has type, v, code, message and the right inReplyTo. */
    public static JsonNode assertErrorJson(String body, ErrorCode code, String inReplyTo) {
        assertNotNull(body, "no answer");
        assertNoLeak(body);
        JsonNode e = json(body);
        assertEquals("error", e.path("type").asText(), body);
        assertEquals(1, e.path("v").asInt(), body);
        assertTrue(e.path("v").isIntegralNumber(), "v is a number: " + body);
        assertEquals(code.name(), e.path("code").asText(), body);
        assertTrue(e.path("message").isTextual() && !e.path("message").asText().isBlank(), "message: " + body);
        if (inReplyTo == null) {
            assertTrue(e.path("inReplyTo").isMissingNode(), "inReplyTo must be absent (not null), §8: " + body);
        } else {
            assertEquals(inReplyTo, e.path("inReplyTo").asText(), "inReplyTo: " + body);
        }
        for (String field : iterable(e)) {
            assertTrue(List.of("type", "v", "code", "message", "inReplyTo", "seq").contains(field), "unexpected field " + field);
        }
        return e;
    }

    public static void assertNoLeak(String body) {
        assertFalse(body.contains("Exception"), "stack trace or exception name in answer: " + body);
        assertFalse(body.contains("at org."), "stack trace in answer: " + body);
        assertFalse(body.contains("at java."), "stack trace in answer: " + body);
    }

    /** The response carries no Authorization header and no header value holding a token. */
    public static void assertNoEchoedCredentials(GatewayFixture.Response r, String... secrets) {
        for (Map.Entry<String, List<String>> h : r.headers().map().entrySet()) {
            assertFalse(h.getKey().equalsIgnoreCase("authorization"), "Authorization header echoed");
            for (String value : h.getValue()) {
                assertFalse(value.contains("Bearer"), "bearer credentials echoed in header " + h.getKey());
                for (String secret : secrets) {
                    if (secret != null) {
                        assertFalse(value.contains(secret), "token echoed in header " + h.getKey());
                    }
                }
            }
        }
        for (String secret : secrets) {
            if (secret != null) {
                assertFalse(r.body().contains(secret), "token echoed in body");
            }
        }
    }

    private static Iterable<String> iterable(JsonNode node) {
        return node::fieldNames;
    }
}
