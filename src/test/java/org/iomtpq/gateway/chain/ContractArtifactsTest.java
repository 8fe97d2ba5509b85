package org.iomtpq.gateway.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The generated contract artifacts match the Solidity sources, and the registry ABI is exactly PROTOCOL.md §9. */
class ContractArtifactsTest {

    /** §9, verbatim in canonical form: a change here is a protocol change. */
    private static final Set<String> PROTOCOL_SECTION_9 = Set.of(
            "event GatewayAuthorized(address indexed,bytes32)",
            "event GatewayRemoved(address indexed)",
            "event KeyRegistered(bytes32 indexed,bytes32,address indexed)",
            "event KeyDeactivated(bytes32 indexed,address indexed)",
            "event AuditAnchored(address indexed,bytes32 indexed,uint64,uint64,bytes32)",
            "function authorizeGateway(address,bytes32) nonpayable",
            "function removeGateway(address) nonpayable",
            "function gatewayKey(address) returns (bytes32,bool) view",
            "function registerDeviceKey(bytes32,bytes32) nonpayable",
            "function registerDeviceKeys(bytes32[],bytes32[]) nonpayable",
            "function rotateDeviceKey(bytes32,bytes32) nonpayable",
            "function deactivateKey(bytes32) nonpayable",
            "function getDeviceKey(bytes32) returns (bytes32,bool) view",
            "function anchorAudit(bytes32,uint64,uint64,bytes32) nonpayable");

    /** What the implementation adds on top of §9: ownership, a resume helper for anchoring, and its custom errors. */
    private static final Set<String> IMPLEMENTATION_EXTRAS = Set.of(
            "constructor() nonpayable",
            "event OwnershipTransferred(address indexed,address indexed)",
            "function owner() returns (address) view",
            "function transferOwnership(address) nonpayable",
            "function streamAnchor(bytes32) returns (address,uint64) view",
            "error NotOwner(address)",
            "error NotAuthorizedGateway(address)",
            "error UnknownGateway(address)",
            "error ZeroAddress()",
            "error ZeroValue()",
            "error DeviceAlreadyActive(bytes32)",
            "error UnknownDevice(bytes32)",
            "error DeviceNotActive(bytes32)",
            "error CommitmentAlreadyUsed(bytes32,bytes32)",
            "error LengthMismatch(uint256,uint256)",
            "error EmptyBatch()",
            "error InvalidAnchorRange(uint64,uint64)",
            "error NonContiguousAnchor(bytes32,uint64,uint64)",
            "error StreamOwnedByAnotherGateway(bytes32,address)");

    @ParameterizedTest
    @ValueSource(strings = {ContractArtifact.REGISTRY, ContractArtifact.NAIVE_REGISTRY})
    void artifactsWereBuiltFromTheCurrentSources(String contractName) throws IOException {
        ContractArtifact artifact = ContractArtifact.load(contractName);
        assertEquals(contractName, artifact.contractName());
        assertEquals(currentSourceHashes(), artifact.sourceSha256(),
                "contract artifacts are stale: run npm run compile-contracts");
        assertTrue(artifact.bytecode().matches("0x[0-9a-f]{200,}"), "creation bytecode present");
        assertTrue(artifact.deployedBytecode().matches("0x[0-9a-f]{200,}"), "runtime bytecode present");
    }

    @ParameterizedTest
    @ValueSource(strings = {ContractArtifact.REGISTRY, ContractArtifact.NAIVE_REGISTRY})
    void compiledWithThePinnedSettings(String contractName) {
        JsonNode compiler = ContractArtifact.load(contractName).compiler();
        assertTrue(compiler.path("version").asText().startsWith("0.8.28+"), compiler.toString());
        // Ganache 7.9 and Anvil must run the same bytecode; paris has no PUSH0.
        assertEquals("paris", compiler.path("settings").path("evmVersion").asText());
        assertTrue(compiler.path("settings").path("optimizer").path("enabled").asBoolean());
        assertEquals(200, compiler.path("settings").path("optimizer").path("runs").asInt());
    }

    @Test
    void registryAbiIsExactlyTheProtocolInterfacePlusDeclaredExtras() {
        Set<String> abi = canonical(ContractArtifact.load(ContractArtifact.REGISTRY).abi());
        Set<String> expected = new TreeSet<>(PROTOCOL_SECTION_9);
        expected.addAll(IMPLEMENTATION_EXTRAS);
        assertEquals(expected, abi);
    }

    @Test
    void naiveRegistryStoresFullKeys() {
        Set<String> abi = canonical(ContractArtifact.load(ContractArtifact.NAIVE_REGISTRY).abi());
        assertTrue(abi.contains("function registerDevice(bytes32,bytes,bytes) nonpayable"), abi.toString());
        assertTrue(abi.contains("function deactivateDevice(bytes32) nonpayable"), abi.toString());
    }

    /** One line per ABI entry: kind, name, parameter types (with "indexed" for events), outputs, mutability. */
    static Set<String> canonical(JsonNode abi) {
        Set<String> entries = new TreeSet<>();
        for (JsonNode entry : abi) {
            String kind = entry.path("type").asText();
            String name = entry.path("name").asText("");
            String inputs = params(entry.path("inputs"), kind.equals("event"));
            StringBuilder line = new StringBuilder(kind).append(kind.equals("constructor") ? "" : " " + name)
                    .append('(').append(inputs).append(')');
            if (kind.equals("function") && !entry.path("outputs").isEmpty()) {
                line.append(" returns (").append(params(entry.path("outputs"), false)).append(')');
            }
            if (kind.equals("function") || kind.equals("constructor")) {
                line.append(' ').append(entry.path("stateMutability").asText());
            }
            entries.add(line.toString());
        }
        return entries;
    }

    private static String params(JsonNode params, boolean event) {
        return StreamSupport.stream(params.spliterator(), false)
                .map(p -> p.path("type").asText() + (event && p.path("indexed").asBoolean() ? " indexed" : ""))
                .collect(Collectors.joining(","));
    }

    private static Map<String, String> currentSourceHashes() throws IOException {
        Path contracts = Path.of(System.getProperty("basedir", System.getProperty("user.dir")), "contracts");
        Map<String, String> hashes = new TreeMap<>();
        try (Stream<Path> files = Files.list(contracts)) {
            for (Path file : files.filter(p -> p.getFileName().toString().endsWith(".sol")).toList()) {
                hashes.put(file.getFileName().toString(), sha256Hex(Files.readAllBytes(file)));
            }
        }
        assertTrue(hashes.size() >= 3, "contracts/*.sol not found under " + contracts);
        return hashes;
    }

    private static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }
}
