package org.iomtpq.gateway.service;

import org.iomtpq.gateway.protocol.ProtocolException;

/** Query-string numbers of the operator API: absent means the default; anything but a plain integer in range is MALFORMED_REQUEST. */
final class QueryParams {

    private QueryParams() {
    }

    static int intIn(String name, String value, int defaultValue, int min, int max) {
        return (int) longIn(name, value, defaultValue, min, max);
    }

    static long longIn(String name, String value, long defaultValue, long min, long max) {
        if (value == null || value.isEmpty()) {
            return defaultValue;
        }
        if (!value.matches("\\d{1,18}")) {
            throw ProtocolException.malformed(name + " must be an integer");
        }
        long v = Long.parseLong(value);
        if (v < min || v > max) {
            throw ProtocolException.malformed(name + " must be between " + min + " and " + max);
        }
        return v;
    }
}
