package org.iomtpq.gateway.chain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * A compiled contract as {@code contracts/compile.mjs} writes it to the class path
 * ({@code contracts/<Name>.json}): ABI, creation bytecode and the sha256 of the sources it came from.
 */
public record ContractArtifact(String contractName, JsonNode abi, String bytecode, String deployedBytecode,
        JsonNode compiler, Map<String, String> sourceSha256) {

    public static final String REGISTRY = "PostQuantumKeyRegistry";
    public static final String NAIVE_REGISTRY = "NaivePostQuantumKeyRegistry";

    public static ContractArtifact load(String contractName) {
        String resource = "contracts/" + contractName + ".json";
        try (InputStream in = ContractArtifact.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " not on the class path: run npm run compile-contracts");
            }
            JsonNode json = new ObjectMapper().readTree(in);
            Map<String, String> hashes = new TreeMap<>();
            json.path("sourceSha256").properties().forEach(e -> hashes.put(e.getKey(), e.getValue().asText()));
            return new ContractArtifact(json.path("contractName").asText(), json.path("abi"),
                    json.path("bytecode").asText(), json.path("deployedBytecode").asText(),
                    json.path("compiler"), Map.copyOf(hashes));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }
}
