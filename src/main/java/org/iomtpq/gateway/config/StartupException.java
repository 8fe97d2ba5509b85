package org.iomtpq.gateway.config;

/**
 * The gateway cannot start as configured. The message is ONE line for the operator: what is wrong and what to change
 * (a setting, a command to run); the launcher prints it without a stack trace and exits with {@link #exitCode()}.
 */
public final class StartupException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Misconfiguration or a state the operator must resolve (sysexits-style usage error, as the launcher's own). */
    public static final int MISCONFIGURED = 2;

    private final int exitCode;

    public StartupException(String message) {
        this(message, MISCONFIGURED, null);
    }

    public StartupException(String message, Throwable cause) {
        this(message, MISCONFIGURED, cause);
    }

    public StartupException(String message, int exitCode, Throwable cause) {
        super(message, cause);
        if (message == null || message.isBlank() || message.contains("\n")) {
            throw new IllegalArgumentException("a startup failure is one non-empty line");
        }
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
