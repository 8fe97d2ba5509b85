package org.iomtpq.gateway.tools;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.iomtpq.gateway.audit.AuditEntry;
import org.iomtpq.gateway.cli.ApiBaseUrl;

/**
 * Reads a stream page by page from a gateway's {@code GET /api/v1/audit?stream=&fromSeq=&limit=} (PROTOCOL.md §3).
 * Each next page starts at the last seq already read, inclusive, and skips what was already read of it: paging from
 * {@code lastSeq + 1} would silently step over a duplicate seq that straddles two pages, an insertion the verifier
 * must see. Reading ends at a page that brings nothing new.
 */
final class ApiAuditSource implements AuditSource {

    static final int PAGE = 1000;
    private static final TypeReference<Map<String, Object>> JSON_OBJECT = new TypeReference<>() { };

    private final String base;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();

    /** {@code apiBase}: e.g. {@code http://127.0.0.1:8080/api/v1} ({@code /api/v1} is added when missing). */
    ApiAuditSource(String apiBase, String token) {
        this.base = ApiBaseUrl.normalize(apiBase);
        this.token = token;
    }

    @Override
    public String describe() {
        return "gateway API " + base;
    }

    /** Without {@code only}: the answering instance's own stream (the API has no list of streams). */
    @Override
    public List<String> streams(String only) {
        if (only != null) {
            return List.of(only);
        }
        Object stream = page(null, 1, 1).get("stream");
        if (!(stream instanceof String s)) {
            throw new SourceException(base + "/audit did not name its default stream", null);
        }
        return List.of(s);
    }

    @Override
    @SuppressWarnings("unchecked")
    public Loaded read(String stream) {
        StoredEntryReader reader = new StoredEntryReader();
        List<AuditEntry> entries = new ArrayList<>();
        long fromSeq = 1;
        int alreadyRead = 0; // entries at the end of the list whose seq is fromSeq
        while (true) {
            Object items = page(stream, fromSeq, PAGE).get("entries");
            if (!(items instanceof List<?> list)) {
                throw new SourceException(base + "/audit answered without an entries array", null);
            }
            int added = 0;
            int skip = alreadyRead;
            for (Object item : list) {
                if (!(item instanceof Map<?, ?> fields)) {
                    throw new SourceException(base + "/audit answered an entry that is not a JSON object", null);
                }
                if (skip > 0 && Long.valueOf(fromSeq).equals(asLong(fields.get("seq")))) {
                    skip--;
                    continue;
                }
                try {
                    entries.add(reader.read((Map<String, Object>) fields));
                    added++;
                } catch (StoredEntryReader.MalformedEntry bad) {
                    return new Loaded(entries, bad.seq > 0 ? bad.seq : fromSeq, bad.getMessage());
                }
            }
            if (added == 0) {
                return Loaded.complete(entries);
            }
            long last = entries.get(entries.size() - 1).seq();
            alreadyRead = last == fromSeq ? alreadyRead + added : trailingWithSeq(entries, last);
            fromSeq = last;
        }
    }

    private static int trailingWithSeq(List<AuditEntry> entries, long seq) {
        int n = 0;
        for (int i = entries.size() - 1; i >= 0 && entries.get(i).seq() == seq; i--) {
            n++;
        }
        return n;
    }

    private static Long asLong(Object v) {
        return v instanceof Number n ? n.longValue() : null;
    }

    private Map<String, Object> page(String stream, long fromSeq, int limit) {
        String query = (stream == null ? "" : "stream=" + URLEncoder.encode(stream, StandardCharsets.UTF_8) + "&")
                + "fromSeq=" + fromSeq + "&limit=" + limit;
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/audit?" + query))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token).GET().build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new SourceException(ApiBaseUrl.unreachable(base, e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SourceException("interrupted while reading " + base, e);
        }
        if (response.statusCode() == 404) {
            throw new SourceException(ApiBaseUrl.notAGateway(base, "/audit", "answered 404"), null);
        }
        if (response.statusCode() != 200) {
            throw new SourceException(base + "/audit answered HTTP " + response.statusCode()
                    + (response.statusCode() == 401 || response.statusCode() == 403
                    ? " (the token needs the operator or auditor role)" : ""), null);
        }
        try {
            return json.readValue(response.body(), JSON_OBJECT);
        } catch (IOException e) {
            throw new SourceException(base + "/audit answered something that is not a JSON object", e);
        }
    }

    @Override
    public void close() {
        // the JDK HttpClient has nothing to release on Java 17
    }
}
