package org.iomtpq.gateway.cli;

/**
 * The user called a command wrongly: an unknown option, a missing or malformed value, options that do not go
 * together. The message is ONE line saying what is wrong and what is expected; {@link CommandRunner} prints it with
 * the command's name and a pointer to its {@code --help}, and exits 2. An {@link IllegalArgumentException} because
 * that is what it is, so that code validating its inputs the usual way keeps its contract.
 */
public class UsageException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(OneLine.of(message));
    }
}
