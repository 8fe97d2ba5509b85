package org.iomtpq.gateway.cli;

/** What the user sees of a failure is one line: messages that span lines (an HTTP body, a driver's report) are folded. */
final class OneLine {

    /** Long enough for a URL and a reason, short enough to stay one line on a terminal or in a log. */
    static final int MAX = 400;

    private OneLine() {
    }

    static String of(String message) {
        String folded = message == null ? "" : message.strip().replaceAll("\\s*\\R\\s*", " ");
        return folded.length() <= MAX ? folded : folded.substring(0, MAX - 1) + "…";
    }

    /** The exception's message, or its class where it has none (a bare ConnectException). */
    static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : of(message);
    }
}
