package org.iomtpq.gateway.startup;

import java.time.Duration;

import org.iomtpq.gateway.config.GatewaySettings;
import org.iomtpq.gateway.config.StartupException;
import org.iomtpq.gateway.net.HttpConnectionGuard;
import org.iomtpq.gateway.service.StepRateLimits;
import org.iomtpq.gateway.service.TokenBuckets;

/** The API's protections from configuration: rate limits ({@code iomt.limits.*}) and connection limits ({@code iomt.http.*}). */
final class ProtectionWiring {

    private ProtectionWiring() {
    }

    static StepRateLimits rateLimits(GatewaySettings settings) {
        int tracked = settings.getInt("iomt.limits.tracked");
        if (tracked < 1) {
            throw new StartupException("iomt.limits.tracked (IOMT_LIMITS_TRACKED) must be at least 1, got " + tracked);
        }
        return new StepRateLimits(new StepRateLimits.Settings(rate(settings, "source"), rate(settings, "device"),
                rate(settings, "source-rejections"), rate(settings, "device-rejections"), rate(settings, "auth-failures"),
                tracked), System::nanoTime);
    }

    static HttpConnectionGuard connectionGuard(GatewaySettings settings) {
        long requestTimeout = positive(settings, "iomt.http.request-timeout-ms");
        long idleTimeout = positive(settings, "iomt.http.idle-timeout-ms");
        long perSource = positive(settings, "iomt.http.max-connections-per-source");
        return new HttpConnectionGuard(new HttpConnectionGuard.Limits(Duration.ofMillis(requestTimeout),
                Duration.ofMillis(idleTimeout), (int) Math.min(Integer.MAX_VALUE, perSource)),
                settings.get("iomt.http.host"), settings.getPort("iomt.http.port"));
    }

    private static TokenBuckets.Rate rate(GatewaySettings settings, String name) {
        double perSecond = number(settings, "iomt.limits." + name + ".rate");
        double burst = number(settings, "iomt.limits." + name + ".burst");
        if (perSecond > 0 && burst < 1) {
            String key = "iomt.limits." + name + ".burst";
            throw new StartupException(key + " (" + GatewaySettings.environmentName(key)
                    + ") must be at least 1 while its rate is on, got " + settings.get(key));
        }
        return new TokenBuckets.Rate(perSecond, burst);
    }

    private static double number(GatewaySettings settings, String key) {
        try {
            double value = Double.parseDouble(settings.get(key).trim());
            if (value >= 0 && Double.isFinite(value)) {
                return value;
            }
        } catch (NumberFormatException e) {
            // the line below says what to change
        }
        throw new StartupException(key + " (" + GatewaySettings.environmentName(key)
                + ") must be a number of at least 0, got '" + settings.get(key) + "'");
    }

    private static long positive(GatewaySettings settings, String key) {
        long value = settings.getLong(key);
        if (value < 1) {
            throw new StartupException(key + " (" + GatewaySettings.environmentName(key) + ") must be at least 1, got " + value);
        }
        return value;
    }
}
