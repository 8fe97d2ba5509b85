package org.iomtpq.gateway.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * What an option's value must be. Checked when the command line is parsed, before the command starts anything, so
 * that a typo costs a line on stderr instead of a stack trace after a minute of work.
 */
public interface ValueKind {

    /** For the user: {@code --devices expects <expected()>, got 'x'}. */
    String expected();

    /** The value as the command should use it (possibly normalized), or empty when it is not of this kind. */
    Optional<String> accept(String value);

    /** A value of this kind when {@code test} accepts it, unchanged. */
    static ValueKind of(String expected, Predicate<String> test) {
        return normalizing(expected, v -> test.test(v) ? v : null);
    }

    /** {@code normalize} returns the value to use, or null when the value is not of this kind. */
    static ValueKind normalizing(String expected, Function<String, String> normalize) {
        return new ValueKind() {
            @Override
            public String expected() {
                return expected;
            }

            @Override
            public Optional<String> accept(String value) {
                return Optional.ofNullable(normalize.apply(value));
            }
        };
    }

    static ValueKind matching(String expected, String regex) {
        Pattern pattern = Pattern.compile(regex);
        return of(expected, v -> pattern.matcher(v).matches());
    }

    /** Any non-empty text. */
    static ValueKind text() {
        return of("a non-empty value", v -> !v.isBlank());
    }

    /** A decimal whole number from {@code min} to {@link Integer#MAX_VALUE}, so that it fits the int it ends up in. */
    static ValueKind wholeNumber(int min) {
        return of("a whole number >= " + min, v -> {
            try {
                return Integer.parseInt(v) >= min;
            } catch (NumberFormatException e) {
                return false;
            }
        });
    }

    static ValueKind oneOf(String... values) {
        List<String> allowed = List.of(values);
        return of(String.join(" | ", allowed), allowed::contains);
    }

    /** A file to write: its directory must exist (found out now, not when the results are ready to be written). */
    static ValueKind outputFile() {
        return of("a file in an existing directory", v -> {
            try {
                Path file = Path.of(v).toAbsolutePath();
                return !v.isBlank() && !Files.isDirectory(file) && file.getParent() != null
                        && Files.isDirectory(file.getParent());
            } catch (InvalidPathException e) {
                return false;
            }
        });
    }

    /** The gateway's HTTP API, with or without {@code /api/v1}; normalized to end in {@code /api/v1}. */
    static ValueKind apiUrl() {
        return normalizing("an http:// or https:// URL of the gateway, e.g. " + ApiBaseUrl.EXAMPLE,
                ApiBaseUrl::normalizeOrNull);
    }

    /** An http(s) endpoint used as given (a JSON-RPC node). */
    static ValueKind httpUrl() {
        return urlWithSchemes("an http:// or https:// URL, e.g. http://127.0.0.1:8545", "http", "https");
    }

    /** An MQTT broker, in the schemes the Paho client has transports for. */
    static ValueKind mqttUrl() {
        return urlWithSchemes("an MQTT broker URL tcp://HOST:PORT (or ssl://, ws://, wss://), e.g. tcp://127.0.0.1:1883",
                "tcp", "ssl", "ws", "wss");
    }

    /** The driver checks the rest when it connects; the prefix is what people get wrong. */
    static ValueKind mongoUri() {
        return of("a MongoDB connection string mongodb://HOST:PORT or mongodb+srv://HOST",
                v -> v.startsWith("mongodb://") || v.startsWith("mongodb+srv://"));
    }

    private static ValueKind urlWithSchemes(String expected, String... schemes) {
        List<String> allowed = List.of(schemes);
        return of(expected, v -> {
            URI uri = uriOrNull(v);
            return uri != null && uri.getScheme() != null && allowed.contains(uri.getScheme().toLowerCase(Locale.ROOT))
                    && uri.getHost() != null;
        });
    }

    /** Null when {@code value} is not a URI (callers only ask whether it is a usable one). */
    static URI uriOrNull(String value) {
        try {
            return new URI(value.strip());
        } catch (URISyntaxException e) {
            return null;
        }
    }
}
