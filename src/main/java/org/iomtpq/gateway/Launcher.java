package org.iomtpq.gateway;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;

import org.iomtpq.gateway.cli.CommandLine;
import org.iomtpq.gateway.cli.CommandRunner;
import org.iomtpq.gateway.cli.ValueKind;
import org.iomtpq.gateway.simulator.Demo;
import org.iomtpq.gateway.tools.BenchCommand;
import org.iomtpq.gateway.tools.BenchEnrollCommand;
import org.iomtpq.gateway.tools.DeployRegistryCommand;
import org.iomtpq.gateway.tools.GasReportCommand;
import org.iomtpq.gateway.tools.SimulateCommand;
import org.iomtpq.gateway.tools.StoreCommand;
import org.iomtpq.gateway.tools.VerifyAuditCommand;

/**
 * Entry point of {@code ./iomt}: one subcommand per job. Every command answers {@code --help} with its usage, a user
 * mistake with one line and exit 2, and any other failure with one line and exit 1 ({@link CommandRunner}): never a
 * stack trace, unless {@code IOMT_DEBUG=true}.
 */
public final class Launcher {

    private static final String USAGE = """
            usage: ./iomt <command> [options]
              demo [--chain anvil|ganache|none]
                                        start a local chain and the gateway on embedded defaults, play the ward scenario
              gateway                   run the gateway (config/application.properties + IOMT_* environment)
              store                     the embedded MongoDB (H2 file) as its own process on IOMT_STORE_PORT, shared by
                                        several gateways through IOMT_MONGO_URI (one machine; README "Running several instances")
              simulate [options]        drive a running gateway with simulated devices
                  --devices N           number of devices (default 3)
                  --transport T         http | mqtt | mixed (default mixed)
                  --messages M          readings per device (default 5)
                  --interval-ms MS      pause between readings (default 0)
                  --http URL            gateway API: http(s)://HOST:PORT, with or without /api/v1 (default from
                                        config: http://iomt.http.host:iomt.http.port/api/v1)
                  --mqtt URL            broker: tcp://HOST:PORT, ssl://, ws:// or wss:// (default from config)
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
              test [mvn args]           run the test suite: mvn -B verify (handled by the ./iomt script)
              bench-jmh [jmh args]      JMH micro-benchmarks (handled by the ./iomt script; docs/benchmarks.md)
              help                      this text
            ./iomt <command> --help: that command's options and defaults. A wrong option or value is answered with one
            line and exit 2; IOMT_DEBUG=true adds the stack trace to a failure's line.
            """;

    private static final CommandLine DEMO = CommandLine.command("demo",
                    "start a local chain and the gateway on embedded defaults, play the ward scenario")
            .option("chain", "C", ValueKind.oneOf("anvil", "ganache", "none"),
                    "anvil | ganache | none: the chain the registry is deployed on (default anvil; none without one)");

    /** The gateway takes no options: its configuration is its environment and properties file, so an argument is a mistake. */
    private static final CommandLine GATEWAY = CommandLine.command("gateway",
                    "run the gateway until Ctrl-C / SIGTERM")
            .takesNoOptions("the gateway is configured by IOMT_* environment variables and config/application.properties")
            .notes("configuration: IOMT_* environment variables (README.md) over config/application.properties");

    private Launcher() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command {@code args[0]} with the rest; returns the exit code instead of exiting (tests). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        String command = args.length == 0 ? "help" : args[0];
        String[] rest = Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
        // the commands answer with their own exit code and line; this catches what escapes the launcher's own
        return CommandRunner.run(command, out, err, () -> switch (command) {
            case "demo" -> DEMO.run(rest, out, err, a -> new Demo(out).run(Path.of("data", "demo"),
                    a.getOrDefault("chain", "anvil")));
            case "gateway" -> GATEWAY.run(rest, out, err, a -> GatewayMain.run());
            case "simulate" -> new SimulateCommand(out, err).run(rest);
            case "bench" -> new BenchCommand(out, err).run(rest);
            case "bench-load" -> new BenchCommand(out, err).runLoad(rest);
            case "bench-enroll" -> new BenchEnrollCommand(out, err).run(rest);
            case "deploy-registry" -> new DeployRegistryCommand(out, err).run(rest);
            case "authorize-gateway" -> new DeployRegistryCommand(out, err).authorize(rest);
            case "gas-report" -> new GasReportCommand(out, err).run(rest);
            case "verify-audit" -> new VerifyAuditCommand(out, err).run(rest);
            case "store" -> new StoreCommand(out, err).run(rest);
            case "help", "--help", "-h" -> {
                out.print(USAGE);
                yield 0;
            }
            default -> {
                err.print("iomt: unknown command '" + command + "'\n" + USAGE);
                yield CommandRunner.USAGE;
            }
        });
    }
}
