package org.iomtpq.gateway.fhir;

import org.hl7.fhir.r4.model.Device;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Reference;

/**
 * Where FHIR resources go: conditional creates by identifier, so that sending one twice leaves one resource. Two
 * kinds of failure, because they are handled differently: {@link Unavailable} (try again later: nothing is lost) and
 * {@link Rejected} (the server refused this resource with an OperationOutcome: retrying would be refused again).
 */
public interface FhirSink extends AutoCloseable {

    /** The Device, created unless one with its identifier exists; the reference Observations are to carry. */
    Reference ensureDevice(Device device) throws Unavailable, Rejected;

    /** The Observation, created unless one with its identifier exists. */
    void ensureObservation(Observation observation) throws Unavailable, Rejected;

    /** Whether the server answers at all (for readiness). */
    boolean reachable();

    @Override
    void close();

    /** The server could not be reached or answered that it cannot take the resource now (5xx, 408, 429). */
    final class Unavailable extends Exception {
        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The server refused the resource (4xx) and said why. */
    final class Rejected extends Exception {
        private final int status;
        private final String outcome;

        public Rejected(int status, String outcome) {
            super("FHIR server refused the resource: HTTP " + status);
            this.status = status;
            this.outcome = outcome;
        }

        public int status() {
            return status;
        }

        /** The server's OperationOutcome as JSON, or its message when it sent none. */
        public String outcome() {
            return outcome;
        }
    }
}
