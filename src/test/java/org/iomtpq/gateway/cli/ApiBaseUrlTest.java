package org.iomtpq.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.channels.UnresolvedAddressException;
import org.junit.jupiter.api.Test;

class ApiBaseUrlTest {

    @Test
    void theServerAndTheApiWithOrWithoutASlashAllMeanTheApi() {
        for (String given : new String[] {"http://127.0.0.1:8080", "http://127.0.0.1:8080/", "http://127.0.0.1:8080/api/v1",
                "http://127.0.0.1:8080/api/v1/", "HTTP://127.0.0.1:8080//", " http://127.0.0.1:8080/api/v1 "}) {
            assertEquals("http://127.0.0.1:8080/api/v1", ApiBaseUrl.normalize(given), given);
        }
        assertEquals("https://gw.example.org/api/v1", ApiBaseUrl.normalize("https://gw.example.org"));
        assertEquals("https://gw.example.org/ward-4/api/v1", ApiBaseUrl.normalize("https://gw.example.org/ward-4/"),
                "a reverse proxy's prefix is kept");
        assertEquals("http://[::1]:8080/api/v1", ApiBaseUrl.normalize("http://[::1]:8080/api/v1"));
    }

    @Test
    void anythingButAnHttpUrlWithAHostIsAUsageError() {
        for (String bad : new String[] {"ftp://x", "127.0.0.1:8080", "http://", "http:///api/v1", "mqtt://h:1883",
                "http://h:8080/api/v1?x=1", "http://h:8080/#top", "http://h:8080 /api", ""}) {
            UsageException e = assertThrows(UsageException.class, () -> ApiBaseUrl.normalize(bad), bad);
            assertEquals("expected an http:// or https:// URL of the gateway, e.g. http://127.0.0.1:8080/api/v1, got '"
                    + bad + "'", e.getMessage());
        }
    }

    @Test
    void whatWentWrongIsSaidWithTheUrlAndWhatToChange() {
        String base = "http://127.0.0.1:1/api/v1";
        assertEquals("cannot reach http://127.0.0.1:1/api/v1 (connection refused): is the gateway running? (./iomt gateway)",
                ApiBaseUrl.unreachable(base, new ConnectException()));
        ConnectException unknownHost = new ConnectException();
        unknownHost.initCause(new ConnectException().initCause(new UnresolvedAddressException()));
        assertTrue(ApiBaseUrl.unreachable(base, unknownHost).contains("(unknown host)"));
        assertTrue(ApiBaseUrl.unreachable(base, new IOException("Connection reset")).contains("(Connection reset)"));
        assertEquals("http://h/api/v1 is not an IoMT gateway API (GET http://h/api/v1/gateway answered 404); pass the"
                + " gateway's base URL, e.g. http://127.0.0.1:8080/api/v1",
                ApiBaseUrl.notAGateway("http://h/api/v1", "/gateway", "answered 404"));
    }
}
