package org.iomtpq.gateway;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import org.iomtpq.gateway.config.GatewaySettings;
import org.iomtpq.gateway.simulator.Demo;
import org.iomtpq.gateway.simulator.Simulator;
import org.iomtpq.gateway.tools.BenchCommand;
import org.iomtpq.gateway.tools.BenchEnrollCommand;
import org.iomtpq.gateway.tools.DeployRegistryCommand;
import org.iomtpq.gateway.tools.GasReportCommand;
import org.iomtpq.gateway.tools.VerifyAuditCommand;

/** Entry point of {@code ./iomt}: one subcommand per job. */
public final class Launcher {

    private static final String USAGE = """
            usage: ./iomt <command> [options]
              demo [--chain anvil|ganache|none]
                                        start a local chain and the gateway on embedded defaults, play the ward scenario
              gateway                   run the gateway (config/application.properties + IOMT_* environment)
              simulate [options]        drive a running gateway with simulated devices
                  --devices N           number of devices (default 3)
                  --transport T         http | mqtt | mixed (default mixed)
                  --messages M          readings per device (default 5)
                  --interval-ms MS      pause between readings (default 0)
                  --http URL            gateway API base (default from config: http://host:port/api/v1)
                  --mqtt URL            broker (default from config)
                  --prefix P            device id prefix (default SIM plus 4 random hex digits, so runs don't collide)
                the operator token comes from IOMT_OPERATOR_TOKEN
              bench [--devices N] [--seconds S] [--rate R] [--transport mqtt|http|both] [--json FILE]
                                        load harness: the gateway on embedded defaults in this JVM, simulated devices in a
                                        second JVM; handshakes/s, messages/s and latency p50/p95/p99 per transport
                                        (defaults: 50 devices, 20 s, rate 0 = max, both; docs/benchmarks.md); with MQTT
                                        also the bare broker's ceiling (--ceiling yes|no)
              bench --growth [--growth-sizes 0,100000,1000000]
                                        the same cost measured with that many observations (and 100,000 sessions)
                                        already stored; ratios to the empty store
              bench --soak MINUTES      500 msgs/s from 200 MQTT devices, a handshake round every minute; a row per minute
              bench-enroll [--devices N] [--block-time S] [--batch-max B] [--in-flight K] [--threads T]
                                        a fleet enrolled at once on Anvil with S-second blocks: time until all ACTIVE,
                                        transactions, gas per device (defaults 1000, 2, 100, 8, 8; --batch-max 1
                                        --in-flight 1 = one transaction per device, one at a time; docs/benchmarks.md)
              deploy-registry [--authorize 0xADDR:0xKEMKEYHASH ...]
                                        deploy the key registry (owner: IOMT_ETH_PRIVATE_KEY, or the dev key on a local
                                        dev chain) and authorize gateways (default: this gateway); prints IOMT_REGISTRY_ADDRESS
              authorize-gateway [--authorize 0xADDR:0xKEMKEYHASH ...]
                                        authorize gateways on the registry at IOMT_REGISTRY_ADDRESS (as its owner:
                                        IOMT_ETH_PRIVATE_KEY); default: this gateway's account and ML-KEM key hash
              gas-report [--out FILE]   measure registry gas on a fresh Anvil against the naive full-key contract and
                                        update the "Gas report" section of FILE (default docs/benchmarks.md)
              verify-audit [--mongo URI [--database NAME] | --api URL [--token T]] [--stream S]
                           [--rpc URL] [--registry 0xADDR]
                                        verify the audit streams (hash chain and on-chain Merkle anchors); exit 0 intact,
                                        1 tampering found, 2 usage or connection error
              test                      run the test suite (handled by the ./iomt script)
            """;

    private Launcher() {
    }

    public static void main(String[] args) throws Exception {
        String command = args.length == 0 ? "help" : args[0];
        String[] rest = Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
        int exit = switch (command) {
            case "demo" -> new Demo(System.out).run(Path.of("data", "demo"), options(rest).getOrDefault("chain", "anvil"));
            case "gateway" -> GatewayMain.run();
            case "simulate" -> simulate(rest);
            case "bench" -> new BenchCommand(System.out, System.err).run(rest);
            case "bench-load" -> new BenchCommand(System.out, System.err).runLoad(rest);
            case "bench-enroll" -> new BenchEnrollCommand(System.out, System.err).run(rest);
            case "deploy-registry" -> new DeployRegistryCommand(System.out, System.err).run(rest);
            case "authorize-gateway" -> new DeployRegistryCommand(System.out, System.err).authorize(rest);
            case "gas-report" -> new GasReportCommand(System.out, System.err).run(rest);
            case "verify-audit" -> new VerifyAuditCommand(System.out, System.err).run(rest);
            case "help", "--help", "-h" -> {
                System.out.print(USAGE);
                yield 0;
            }
            default -> {
                System.err.print("unknown command '" + command + "'\n" + USAGE);
                yield 2;
            }
        };
        System.exit(exit);
    }

    private static int simulate(String[] args) throws InterruptedException {
        Map<String, String> opts = options(args);
        GatewaySettings settings = GatewaySettings.fromEnvironment(Map.of());
        String http = opts.getOrDefault("http",
                "http://" + settings.get("iomt.http.host") + ":" + settings.get("iomt.http.port") + "/api/v1");
        String mqtt = opts.getOrDefault("mqtt", settings.isSet("iomt.mqtt.url") ? settings.get("iomt.mqtt.url")
                : "tcp://" + settings.get("iomt.mqtt.host") + ":" + settings.get("iomt.mqtt.port"));
        String token = settings.getOrEmpty("iomt.operator-token");
        if (token.isBlank()) {
            System.err.println("IOMT_OPERATOR_TOKEN is not set: enrollment needs the operator token of the running gateway");
            return 2;
        }
        Simulator.Tally tally = new Simulator(new Simulator.Plan(
                Integer.parseInt(opts.getOrDefault("devices", "3")), opts.getOrDefault("transport", "mixed"),
                Integer.parseInt(opts.getOrDefault("messages", "5")), Long.parseLong(opts.getOrDefault("interval-ms", "0")),
                http, mqtt, token, opts.getOrDefault("prefix", defaultPrefix())), System.out).run();
        return tally.failures().isEmpty() ? 0 : 1;
    }

    private static String defaultPrefix() {
        return String.format("SIM%04X", new java.security.SecureRandom().nextInt(0x10000));
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> out = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value, got " + args[i] + "\n" + USAGE);
            }
            out.put(args[i].substring(2), args[++i]);
        }
        return out;
    }
}
