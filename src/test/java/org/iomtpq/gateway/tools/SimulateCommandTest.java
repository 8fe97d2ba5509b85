package org.iomtpq.gateway.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.iomtpq.gateway.config.GatewaySettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The first thing simulate does is GET {base}/gateway: what a wrong --http URL gets there is said in one line. */
class SimulateCommandTest {

    private static final GatewaySettings WITH_TOKEN = GatewaySettings.fromEnvironment(Map.of("iomt.operator-token", "t0ken"));

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final List<String> requested = new CopyOnWriteArrayList<>();
    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    /** A web server that is not a gateway: every path answers {@code status} with {@code body}. */
    private String serverAnswering(int status, String body) throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            requested.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private int simulate(GatewaySettings settings, String... args) {
        return new SimulateCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(args, settings);
    }

    private String errLine() {
        List<String> lines = err.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(1, lines.size(), err.toString(StandardCharsets.UTF_8));
        return lines.get(0);
    }

    @Test
    void aServerThatAnswers404IsNotAGatewayAndTheUrlWithoutApiV1IsTheApi() throws Exception {
        String server = serverAnswering(404, "<html>Not Found</html>\n<p>second line</p>");
        assertEquals(2, simulate(WITH_TOKEN, "--http", server));
        assertEquals(List.of("GET /api/v1/gateway"), requested, "the server's URL means its /api/v1");
        assertEquals("iomt simulate: " + server + "/api/v1 is not an IoMT gateway API (GET " + server
                + "/api/v1/gateway answered 404); pass the gateway's base URL, e.g. http://127.0.0.1:8080/api/v1", errLine());
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aServerThatAnswersSomethingElseIsNotAGatewayEither() throws Exception {
        String server = serverAnswering(200, "<html>welcome</html>");
        assertEquals(2, simulate(WITH_TOKEN, "--http", server + "/api/v1/"));
        assertEquals("iomt simulate: " + server + "/api/v1 is not an IoMT gateway API (GET " + server
                + "/api/v1/gateway answered something that is not a gateway record); pass the gateway's base URL, e.g."
                + " http://127.0.0.1:8080/api/v1", errLine());
    }

    @Test
    void nothingListeningIsSaidWithTheUrlAndHowToStartTheGateway() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        assertEquals(2, simulate(WITH_TOKEN, "--http", "http://127.0.0.1:" + port + "/api/v1"));
        assertEquals("iomt simulate: cannot reach http://127.0.0.1:" + port + "/api/v1 (connection refused): is the"
                + " gateway running? (./iomt gateway)", errLine());
    }

    @Test
    void withoutTheOperatorTokenNothingIsContacted() throws Exception {
        String server = serverAnswering(404, "");
        assertEquals(2, simulate(GatewaySettings.fromEnvironment(Map.of("iomt.operator-token", "")), "--http", server));
        assertEquals(List.of(), requested);
        assertEquals("iomt simulate: IOMT_OPERATOR_TOKEN is not set: enrollment needs the operator token of the running"
                + " gateway (see ./iomt simulate --help)", errLine());
    }
}
