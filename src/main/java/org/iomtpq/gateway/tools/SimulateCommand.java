package org.iomtpq.gateway.tools;

import java.io.PrintStream;
import java.security.SecureRandom;
import java.util.Map;

import org.iomtpq.gateway.cli.Arguments;
import org.iomtpq.gateway.cli.CommandLine;
import org.iomtpq.gateway.cli.UsageException;
import org.iomtpq.gateway.cli.ValueKind;
import org.iomtpq.gateway.config.GatewaySettings;
import org.iomtpq.gateway.simulator.Simulator;

/**
 * {@code ./iomt simulate}: simulated devices against a running gateway ({@link Simulator}). Exit 0 when every device
 * got through, 1 when one failed, 2 on a usage error or when the gateway is not reachable at the API URL.
 */
public final class SimulateCommand {

    /** A device id is PREFIX_TYPE_NNN and at most 64 characters (docs/protocol.md §2); the longest type takes 19. */
    private static final String PREFIX = "[A-Za-z0-9][A-Za-z0-9_.-]{0,39}";

    static final CommandLine OPTIONS = CommandLine.command("simulate",
                    "drive a running gateway with simulated devices: enroll, handshake, readings; then a summary")
            .option("devices", "N", ValueKind.wholeNumber(1), "number of devices (default 3)")
            .option("transport", "T", ValueKind.oneOf("http", "mqtt", "mixed"), "http | mqtt | mixed (default mixed)")
            .option("messages", "M", ValueKind.wholeNumber(0), "readings per device (default 5)")
            .option("interval-ms", "MS", ValueKind.wholeNumber(0), "pause between readings (default 0)")
            .option("http", "URL", ValueKind.apiUrl(), "gateway API: http(s)://HOST:PORT, with or without /api/v1\n"
                    + "(default from config: http://iomt.http.host:iomt.http.port/api/v1)")
            .option("mqtt", "URL", ValueKind.mqttUrl(), "broker: tcp://HOST:PORT, ssl://, ws:// or wss:// (default from config)")
            .option("prefix", "P", ValueKind.matching("1 to 40 of A-Z a-z 0-9 _ . - starting with a letter or digit",
                    PREFIX), "device id prefix (default SIM plus 4 random hex digits, so runs don't collide)")
            .notes("the operator token comes from IOMT_OPERATOR_TOKEN (the running gateway's)");

    private final PrintStream out;
    private final PrintStream err;

    public SimulateCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public int run(String[] args) {
        return OPTIONS.run(args, out, err, a -> simulate(a, GatewaySettings.fromEnvironment(Map.of())));
    }

    /** With these settings instead of the environment's (tests). */
    int run(String[] args, GatewaySettings settings) {
        return OPTIONS.run(args, out, err, a -> simulate(a, settings));
    }

    private int simulate(Arguments a, GatewaySettings settings) throws InterruptedException {
        String http = a.getOrDefault("http",
                "http://" + settings.get("iomt.http.host") + ":" + settings.get("iomt.http.port") + "/api/v1");
        String mqtt = a.getOrDefault("mqtt", settings.isSet("iomt.mqtt.url") ? settings.get("iomt.mqtt.url")
                : "tcp://" + settings.get("iomt.mqtt.host") + ":" + settings.get("iomt.mqtt.port"));
        String token = settings.getOrEmpty("iomt.operator-token");
        if (token.isBlank()) {
            throw new UsageException("IOMT_OPERATOR_TOKEN is not set: enrollment needs the operator token of the running"
                    + " gateway");
        }
        Simulator.Tally tally = new Simulator(new Simulator.Plan(a.intValue("devices", 3),
                a.getOrDefault("transport", "mixed"), a.intValue("messages", 5), a.intValue("interval-ms", 0), http, mqtt,
                token, a.getOrDefault("prefix", defaultPrefix())), out).run();
        return tally.failures().isEmpty() ? 0 : 1;
    }

    private static String defaultPrefix() {
        return String.format("SIM%04X", new SecureRandom().nextInt(0x10000));
    }
}
