package org.iomtpq.gateway.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.IRestfulClientFactory;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import ca.uhn.fhir.rest.client.exceptions.FhirClientConnectionException;
import ca.uhn.fhir.rest.client.interceptor.BearerTokenAuthInterceptor;
import ca.uhn.fhir.rest.gclient.TokenClientParam;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import org.hl7.fhir.instance.model.api.IBaseOperationOutcome;
import org.hl7.fhir.r4.model.Device;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

/**
 * {@link FhirSink} over HAPI's generic REST client: {@code POST [base]/Observation} with
 * {@code If-None-Exist: identifier=system|value} (FHIR R4 conditional create), so a resource sent again after a lost
 * answer is found, not created twice. For servers that offer conditional update but not conditional create,
 * {@link Mode#CONDITIONAL_UPDATE}: {@code PUT [base]/Observation?identifier=system|value}, which creates the resource
 * or replaces the one with that identifier by the same content.
 */
public final class HapiFhirSink implements FhirSink {

    private static final TokenClientParam IDENTIFIER = new TokenClientParam("identifier");

    /** How a resource is made idempotent on the server (iomt.fhir.write). */
    public enum Mode {
        CONDITIONAL_CREATE, CONDITIONAL_UPDATE;

        public static Mode parse(String value) {
            return switch (value.trim()) {
                case "conditional-create" -> CONDITIONAL_CREATE;
                case "conditional-update" -> CONDITIONAL_UPDATE;
                default -> throw new IllegalArgumentException(value);
            };
        }
    }

    private final IGenericClient client;
    private final Mode mode;

    /**
     * @param bearerToken sent as {@code Authorization: Bearer …} when not blank (from the environment, never logged)
     * @param connections how many requests may be open at once (the export's concurrency)
     */
    public HapiFhirSink(String baseUrl, int timeoutMillis, String bearerToken, int connections) {
        this(baseUrl, timeoutMillis, bearerToken, connections, Mode.CONDITIONAL_CREATE);
    }

    public HapiFhirSink(String baseUrl, int timeoutMillis, String bearerToken, int connections, Mode mode) {
        this.mode = mode;
        FhirContext context = FhirContext.forR4Cached();
        IRestfulClientFactory factory = context.getRestfulClientFactory();
        // no metadata request before the first call: the server may be down at start, and the export retries anyway
        factory.setServerValidationMode(ServerValidationModeEnum.NEVER);
        factory.setConnectTimeout(timeoutMillis);
        factory.setConnectionRequestTimeout(timeoutMillis);
        factory.setSocketTimeout(timeoutMillis);
        factory.setPoolMaxTotal(connections);
        factory.setPoolMaxPerRoute(connections);
        this.client = context.newRestfulGenericClient(baseUrl);
        if (bearerToken != null && !bearerToken.isBlank()) {
            client.registerInterceptor(new BearerTokenAuthInterceptor(bearerToken));
        }
    }

    @Override
    public Reference ensureDevice(Device device) throws Unavailable, Rejected {
        Identifier id = device.getIdentifierFirstRep();
        MethodOutcome outcome = create(device, id);
        Reference reference = new Reference().setType("Device").setIdentifier(id.copy());
        if (outcome.getId() != null && outcome.getId().hasIdPart()) {
            reference.setReference("Device/" + outcome.getId().getIdPart());
        }
        return reference;
    }

    @Override
    public void ensureObservation(Observation observation) throws Unavailable, Rejected {
        create(observation, observation.getIdentifierFirstRep());
    }

    private MethodOutcome create(Resource resource, Identifier id) throws Unavailable, Rejected {
        try {
            var match = IDENTIFIER.exactly().systemAndIdentifier(id.getSystem(), id.getValue());
            return mode == Mode.CONDITIONAL_CREATE ? client.create().resource(resource).conditional().where(match).execute()
                    : client.update().resource(resource).conditional().where(match).execute();
        } catch (FhirClientConnectionException e) {
            throw new Unavailable("FHIR server not reachable: " + e.getMessage(), e);
        } catch (BaseServerResponseException e) {
            int status = e.getStatusCode();
            if (status >= 500 || status == 408 || status == 429 || status == 0) {
                throw new Unavailable("FHIR server answered HTTP " + status, e);
            }
            IBaseOperationOutcome oo = e.getOperationOutcome();
            throw new Rejected(status, oo != null
                    ? FhirContext.forR4Cached().newJsonParser().encodeResourceToString(oo) : String.valueOf(e.getMessage()));
        }
    }

    @Override
    public boolean reachable() {
        try {
            client.capabilities().ofType(org.hl7.fhir.r4.model.CapabilityStatement.class).execute();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        // the client's pool lives in the (cached) context's factory; nothing of ours to release
    }
}
