package org.iomtpq.gateway.tools;

import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.annotation.ConditionalUrlParam;
import ca.uhn.fhir.rest.annotation.Create;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.ResourceParam;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.annotation.Update;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Device;
import org.hl7.fhir.r4.model.DomainResource;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.OperationOutcome;

/**
 * A small in-process FHIR R4 server (HAPI's RestfulServer on Jetty) holding Observations and Devices in memory, for
 * the demo and the tests: create (conditional by identifier through {@code If-None-Exist}, as FHIR R4 specifies),
 * conditional update ({@code PUT [type]?identifier=…}), read, search by identifier. Like a real server, a plain create without a condition always makes a new resource, so
 * a client that does not send the condition shows duplicates here. It can be stopped and started again on the same
 * port, keeping what it holds; a predicate makes it reject chosen resources with an OperationOutcome (HTTP 422).
 */
public final class LocalFhirServer implements AutoCloseable {

    private final int port;
    private final Held<Observation> observations = new Held<>(Observation.class);
    private final Held<Device> devices = new Held<>(Device.class);
    private volatile Predicate<IBaseResource> rejects = r -> false;
    private Server jetty;

    public LocalFhirServer(int port) {
        this.port = port;
    }

    /** Starts (again) on the port; what it held before is still there. */
    public synchronized LocalFhirServer start() {
        if (jetty != null) {
            return this;
        }
        RestfulServer restful = new RestfulServer(FhirContext.forR4Cached());
        restful.setResourceProviders(observations, devices);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        context.addServlet(new ServletHolder(restful), "/fhir/*");
        Server server = new Server(new InetSocketAddress("127.0.0.1", port));
        server.setHandler(context);
        try {
            server.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the local FHIR server on 127.0.0.1:" + port + ": " + e.getMessage(), e);
        }
        jetty = server;
        return this;
    }

    /** Stops answering (connections are refused) until {@link #start()}. */
    public synchronized void stop() {
        if (jetty != null) {
            try {
                jetty.stop();
            } catch (Exception e) {
                throw new IllegalStateException("stopping the local FHIR server failed: " + e.getMessage(), e);
            }
            jetty = null;
        }
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port + "/fhir";
    }

    /** From now on, resources matching this are refused with an OperationOutcome. */
    public void rejectWhen(Predicate<IBaseResource> predicate) {
        this.rejects = predicate;
    }

    public List<Observation> observations() {
        return observations.all();
    }

    public List<Device> devices() {
        return devices.all();
    }

    /** How many creates found their resource already there (retries the condition made harmless). */
    public long conditionalMatches() {
        return observations.matched + devices.matched;
    }

    @Override
    public void close() {
        stop();
    }

    /** One resource type's resources, in creation order, and the identifier index conditional creates look in. */
    public final class Held<T extends DomainResource> implements IResourceProvider {
        private final Class<T> type;
        private final Map<String, T> byId = new LinkedHashMap<>();
        private final Map<String, String> idByIdentifier = new HashMap<>();
        private long next = 1;
        private long matched;

        Held(Class<T> type) {
            this.type = type;
        }

        @Override
        public Class<T> getResourceType() {
            return type;
        }

        @Create
        public synchronized MethodOutcome create(@ResourceParam T resource, @ConditionalUrlParam String condition) {
            if (rejects.test(resource)) {
                OperationOutcome outcome = new OperationOutcome();
                outcome.addIssue().setSeverity(OperationOutcome.IssueSeverity.ERROR)
                        .setCode(OperationOutcome.IssueType.BUSINESSRULE).setDiagnostics("refused by the test server");
                throw new UnprocessableEntityException(FhirContext.forR4Cached(), outcome);
            }
            String wanted = identifierOf(condition);
            if (wanted != null && idByIdentifier.containsKey(wanted)) {
                matched++;
                return new MethodOutcome(new IdType(resource.fhirType(), idByIdentifier.get(wanted), "1")).setCreated(false);
            }
            String id = String.valueOf(next++);
            resource.setId(new IdType(resource.fhirType(), id, "1"));
            byId.put(id, resource);
            for (Identifier i : identifiers(resource)) {
                idByIdentifier.putIfAbsent(i.getSystem() + "|" + i.getValue(), id);
            }
            return new MethodOutcome(resource.getIdElement()).setCreated(true).setResource(resource);
        }

        /** {@code PUT [type]?identifier=…}: replaces the resource with that identifier, or creates it. */
        @Update
        public synchronized MethodOutcome update(@ResourceParam T resource, @IdParam IdType id,
                                                 @ConditionalUrlParam String condition) {
            String wanted = identifierOf(condition);
            String existing = wanted == null ? (id == null ? null : id.getIdPart()) : idByIdentifier.get(wanted);
            if (existing == null || !byId.containsKey(existing)) {
                return create(resource, condition);
            }
            matched++;
            resource.setId(new IdType(resource.fhirType(), existing, "2"));
            byId.put(existing, resource);
            return new MethodOutcome(resource.getIdElement()).setCreated(false).setResource(resource);
        }

        @Read
        public synchronized T read(@IdParam IdType id) {
            T found = byId.get(id.getIdPart());
            if (found == null) {
                throw new ResourceNotFoundException(id);
            }
            return found;
        }

        @Search
        public synchronized List<T> search(@OptionalParam(name = "identifier") TokenParam identifier) {
            if (identifier == null) {
                return new ArrayList<>(byId.values());
            }
            String id = idByIdentifier.get(identifier.getSystem() + "|" + identifier.getValue());
            return id == null ? List.of() : List.of(byId.get(id));
        }

        synchronized List<T> all() {
            return new ArrayList<>(byId.values());
        }

        /** {@code Observation?identifier=system|value} (URL-encoded) → {@code system|value}. */
        private String identifierOf(String condition) {
            if (condition == null) {
                return null;
            }
            String query = condition.substring(condition.indexOf('?') + 1);
            for (String part : query.split("&")) {
                if (part.startsWith("identifier=")) {
                    return URLDecoder.decode(part.substring("identifier=".length()), StandardCharsets.UTF_8);
                }
            }
            return null;
        }

        private List<Identifier> identifiers(T resource) {
            if (resource instanceof Observation o) {
                return o.getIdentifier();
            }
            return resource instanceof Device d ? d.getIdentifier() : List.of();
        }
    }
}
