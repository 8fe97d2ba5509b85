package org.iomtpq.gateway.simulator;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import org.iomtpq.gateway.protocol.Reading;
import org.iomtpq.gateway.protocol.Timestamps;

/** Plausible readings per device type, around a resting adult's values. */
public final class VitalSigns {

    private VitalSigns() {
    }

    public static Reading sample(String deviceType, Random random) {
        Map<String, BigDecimal> v = new LinkedHashMap<>();
        switch (deviceType) {
            case "bp-monitor" -> {
                v.put("systolic", whole(118 + random.nextInt(30)));
                v.put("diastolic", whole(72 + random.nextInt(20)));
                v.put("heartRate", whole(60 + random.nextInt(35)));
            }
            case "pulse-oximeter" -> {
                v.put("spo2", whole(93 + random.nextInt(7)));
                v.put("heartRate", whole(60 + random.nextInt(35)));
            }
            case "thermometer" -> v.put("temperature",
                    BigDecimal.valueOf(36.2 + random.nextDouble() * 1.8).setScale(1, RoundingMode.HALF_UP));
            default -> throw new IllegalArgumentException("unknown device type " + deviceType);
        }
        return new Reading(Timestamps.format(Instant.now()), v);
    }

    /** The original system's sample: "BP=145/92, HR=88, O2=96%, Temp=37.2C". */
    public static Reading originalSample() {
        Map<String, BigDecimal> v = new LinkedHashMap<>();
        v.put("systolic", whole(145));
        v.put("diastolic", whole(92));
        v.put("heartRate", whole(88));
        v.put("spo2", whole(96));
        v.put("temperature", new BigDecimal("37.2"));
        return new Reading(Timestamps.format(Instant.now()), v);
    }

    private static BigDecimal whole(int value) {
        return BigDecimal.valueOf(value);
    }
}
