package org.iomtpq.gateway.service;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.iomtpq.gateway.protocol.ProtocolException;

/** JSON for the operator API: ordered maps out, strictly checked small objects in. */
final class OperatorJson {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private OperatorJson() {
    }

    static String write(Map<String, ?> value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render operator JSON", e);
        }
    }

    static Map<String, Object> message(String type) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", type);
        m.put("v", 1);
        return m;
    }

    /** An optional JSON object body: empty means {}. Anything but an object, or a field not allowed: MALFORMED_REQUEST. */
    static ObjectNode optionalObject(byte[] body, java.util.Set<String> allowedFields) {
        if (body == null || new String(body, StandardCharsets.UTF_8).isBlank()) {
            return MAPPER.createObjectNode();
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (IOException e) {
            throw ProtocolException.malformed("body is not a valid JSON object");
        }
        if (node == null || !node.isObject()) {
            throw ProtocolException.malformed("body must be a JSON object");
        }
        for (var it = node.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!allowedFields.contains(field)) {
                throw ProtocolException.malformed("unknown field in body");
            }
        }
        return (ObjectNode) node;
    }
}
