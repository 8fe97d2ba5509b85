package org.iomtpq.gateway.cli;

/**
 * A command cannot do its job for a reason the user can act on (the gateway is not running, a URL is not a gateway,
 * a prerequisite is not installed): ONE line saying what is wrong and what to change, printed without a stack trace,
 * and the command's exit code for it.
 */
public final class CommandFailure extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The user must change something before trying again: the same code as a usage error. */
    public static final int FIX_AND_RETRY = CommandRunner.USAGE;

    private final int exitCode;

    public CommandFailure(String message, int exitCode) {
        this(message, exitCode, null);
    }

    public CommandFailure(String message, int exitCode, Throwable cause) {
        super(OneLine.of(message), cause);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
