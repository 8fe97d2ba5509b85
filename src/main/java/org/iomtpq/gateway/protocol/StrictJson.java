package org.iomtpq.gateway.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Shared entry point for strict JSON: size limit first, then strict UTF-8, then a Jackson parser that
 * fails on duplicate keys.
 *
 * <p>Why decode UTF-8 ourselves: the JDK decoder with REPORT rejects every ill-formed sequence (overlong
 * forms, encoded surrogates, truncated sequences), including inside strings, so the parser only ever
 * sees well-formed text and a byte order mark becomes an ordinary parse error.
 */
final class StrictJson {
    static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(8)
                    .maxNumberLength(64)
                    .maxStringLength(Limits.MAX_MESSAGE_BYTES)
                    .build())
            .build();

    private StrictJson() {
    }

    /** Checks the size and decodes strict UTF-8; failures carry {@code onBadText}. */
    static String text(byte[] json, ErrorCode onBadText) {
        if (json == null) {
            throw new ProtocolException(onBadText, "body is missing");
        }
        if (json.length > Limits.MAX_MESSAGE_BYTES) {
            throw ProtocolException.tooLarge("body is larger than " + Limits.MAX_MESSAGE_BYTES + " bytes");
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(json))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new ProtocolException(onBadText, "body is not valid UTF-8");
        }
    }

    /**
     * True when {@code s} is Unicode text: no unpaired surrogate. Strict UTF-8 decoding keeps them out of the raw
     * bytes, but a JSON escape ({@code "\\ud800"}) still yields one, which no UTF-8 writer can send back: such a
     * string would be replaced on the way out ('?'), so a message would not mean what it said.
     */
    static boolean isUnicodeText(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    static JsonParser parser(String text) throws IOException {
        return FACTORY.createParser(text);
    }

    /** A human-readable message for a parser failure that never echoes the input. */
    static String describe(IOException e) {
        if (e instanceof JsonProcessingException jpe && jpe.getOriginalMessage() != null
                && jpe.getOriginalMessage().startsWith("Duplicate field")) {
            return "duplicate key in JSON object";
        }
        return "body is not well-formed JSON";
    }
}
