package org.iomtpq.gateway.testsupport;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import java.util.zip.GZIPInputStream;

/**
 * Loads the third-party test vectors from the folder named by system property {@code iomt.vectors.dir}
 * (surefire sets it to {@code ../shared/vectors}). Vectors are never copied into the repository, so every
 * loader first <em>skips</em> the calling test (JUnit assumption) when the folder or file is absent.
 */
public final class Vectors {

    public static final String DIR_PROPERTY = "iomt.vectors.dir";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Vectors() {
    }

    /** The vectors folder; skips the calling test when it is not configured or absent. */
    public static Path dir() {
        String configured = System.getProperty(DIR_PROPERTY);
        assumeTrue(configured != null && !configured.isBlank(),
                "system property " + DIR_PROPERTY + " not set: skipping vector tests");
        Path dir = Paths.get(configured);
        assumeTrue(Files.isDirectory(dir), "vectors folder " + dir + " absent: skipping");
        return dir;
    }

    /** A file under the vectors folder (e.g. "wycheproof/aes_gcm_test.json"); skips if absent. */
    public static Path file(String relative) {
        Path p = dir().resolve(relative);
        assumeTrue(Files.isRegularFile(p), "vector file " + p + " absent: skipping");
        return p;
    }

    public static JsonNode json(String relative) {
        try {
            return JSON.readTree(file(relative).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Lines of a text file, transparently gunzipping names ending in ".gz". */
    public static List<String> lines(String relative) {
        Path p = file(relative);
        try (InputStream raw = Files.newInputStream(p);
                InputStream in = relative.endsWith(".gz") ? new GZIPInputStream(raw) : raw;
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            List<String> out = new ArrayList<>();
            for (String line; (line = r.readLine()) != null; ) {
                out.add(line);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Parses "name = value" files (CCTV format) into blocks separated by blank lines; within a block the
     * first occurrence of a name wins (intermediate files repeat some names for later steps).
     */
    public static List<Map<String, String>> keyValueBlocks(String relative) {
        List<Map<String, String>> blocks = new ArrayList<>();
        Map<String, String> current = new LinkedHashMap<>();
        for (String line : lines(relative)) {
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                if (!current.isEmpty()) {
                    blocks.add(current);
                    current = new LinkedHashMap<>();
                }
                continue;
            }
            int eq = t.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String name = t.substring(0, eq).strip();
            if (current.containsKey(name) && blockStartsWith(current, name)) {
                blocks.add(current); // a repeated first key starts a new block even without a blank line
                current = new LinkedHashMap<>();
            }
            current.putIfAbsent(name, t.substring(eq + 1).strip());
        }
        if (!current.isEmpty()) {
            blocks.add(current);
        }
        return blocks;
    }

    private static boolean blockStartsWith(Map<String, String> block, String name) {
        return block.keySet().iterator().next().equals(name);
    }

    /** Hex (either case, may be empty) to bytes. */
    public static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex.strip().toLowerCase());
    }

    /** Hex of a JSON string field; a missing or null field decodes as empty. */
    public static byte[] hex(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? new byte[0] : hex(v.asText());
    }

    public static String toHex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    /** Iterates a JSON array as a stream. */
    public static Stream<JsonNode> stream(JsonNode array) {
        return array == null ? Stream.empty() : StreamSupport.stream(array.spliterator(), false);
    }

    /** Wycheproof: every test object of every group, each paired with its group. */
    public static Stream<Map.Entry<JsonNode, JsonNode>> wycheproofCases(JsonNode file) {
        return stream(file.get("testGroups"))
                .flatMap(g -> stream(g.get("tests")).map(t -> Map.entry(g, t)));
    }

    /** Wycheproof flag test: does the case carry {@code flag}? */
    public static boolean hasFlag(JsonNode test, String flag) {
        return stream(test.get("flags")).anyMatch(f -> f.asText().equals(flag));
    }
}
