package org.iomtpq.gateway.cli;

import java.io.PrintStream;

import org.iomtpq.gateway.config.StartupException;

/**
 * How every {@code ./iomt} command ends: with an exit code and, when it failed, ONE line on stderr that names the
 * command and says what is wrong. A stack trace is for a developer and means nothing to the operator who typed the
 * command, so it is printed only with {@code IOMT_DEBUG=true}. Exit codes: 0 done (and {@code --help}), 2 a usage
 * error or something the user must change first, 1 the command failed; {@link StartupException} brings its own.
 */
public final class CommandRunner {

    /** A command's work; it may throw what {@link CommandRunner} turns into its one line. */
    @FunctionalInterface
    public interface Body {
        int run() throws Exception;
    }

    public static final int FAILED = 1;
    public static final int USAGE = 2;

    private CommandRunner() {
    }

    public static int run(String command, PrintStream out, PrintStream err, Body body) {
        return run(command, out, err, body, "true".equalsIgnoreCase(System.getenv("IOMT_DEBUG")));
    }

    static int run(String command, PrintStream out, PrintStream err, Body body, boolean debug) {
        String prefix = "iomt " + command + ": ";
        try {
            return body.run();
        } catch (HelpRequested help) {
            out.print(help.usage());
            return 0;
        } catch (UsageException e) {
            err.println(prefix + e.getMessage() + " (see ./iomt " + command + " --help)");
            return debug(e, err, debug, USAGE);
        } catch (CommandFailure e) {
            err.println(prefix + e.getMessage());
            return debug(e, err, debug, e.exitCode());
        } catch (StartupException e) {
            err.println(prefix + OneLine.of(e.getMessage()));
            return debug(e, err, debug, e.exitCode());
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            err.println(prefix + OneLine.describe(e) + (debug ? "" : " (IOMT_DEBUG=true shows the stack trace)"));
            return debug(e, err, debug, FAILED);
        }
    }

    private static int debug(Exception e, PrintStream err, boolean debug, int exitCode) {
        if (debug) {
            e.printStackTrace(err);
        }
        return exitCode;
    }
}
