package org.iomtpq.gateway.embedded;

import java.util.Map;

/**
 * A rough, cheap guess of how much heap a stored value holds, for H2's page cache and page splitting (it only needs
 * the right order of magnitude, and the same answer for the same value each time it is asked).
 */
final class HeapEstimate {

    private static final int OBJECT = 16;
    private static final int REFERENCE = 8;
    private static final int MAP_ENTRY = 40;

    private HeapEstimate() {
    }

    static int of(Object value) {
        if (value instanceof String s) {
            return OBJECT + 24 + s.length();
        }
        if (value instanceof Map<?, ?> map) {
            int size = OBJECT + 64;
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                size += MAP_ENTRY + of(entry.getKey()) + of(entry.getValue());
            }
            return size;
        }
        if (value instanceof Iterable<?> elements) { // lists, and an index key's fields
            int size = OBJECT + 24;
            for (Object element : elements) {
                size += REFERENCE + of(element);
            }
            return size;
        }
        return OBJECT + 48; // boxed numbers, booleans, dates, ObjectIds, binary, null: small, taken as fixed
    }
}
