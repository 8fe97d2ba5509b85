package org.iomtpq.gateway.testsupport;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Tests that need something outside Maven (mosquitto, node_modules) skip with a clear message where it is missing,
 * unless system packages are required (system property {@code iomt.requireSystemPackages} or env
 * {@code IOMT_REQUIRE_SYSTEM_PACKAGES} = true, as CI sets it): then they fail, so CI can never skip them silently.
 */
public final class SystemPackages {

    private SystemPackages() {
    }

    public static boolean required() {
        return "true".equalsIgnoreCase(System.getProperty("iomt.requireSystemPackages"))
                || "true".equalsIgnoreCase(System.getenv("IOMT_REQUIRE_SYSTEM_PACKAGES"));
    }

    /** {@code missing} null: present, carry on. */
    public static void requireOrSkip(String missing) {
        if (missing == null) {
            return;
        }
        if (required()) {
            Assertions.fail(missing + " (required: iomt.requireSystemPackages / IOMT_REQUIRE_SYSTEM_PACKAGES is true)");
        }
        Assumptions.assumeTrue(false, missing + ": skipping");
    }
}
