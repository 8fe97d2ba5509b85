package org.iomtpq.gateway.chain;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.web3j.abi.FunctionReturnDecoder;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Type;
import org.web3j.crypto.Hash;
import org.web3j.protocol.core.Response;
import org.web3j.utils.Numeric;

/**
 * Turns revert data into text with the custom errors declared in the registry artifacts' ABIs (so a new error
 * in the contract needs no Java change), plus Solidity's built-in {@code Error(string)} and {@code Panic(uint256)}.
 */
@SuppressWarnings("rawtypes") // web3j's ABI decoders work on raw Type
final class RevertDecoder {

    private record ErrorSpec(String name, List<TypeReference<Type>> inputs) {
    }

    private static final String ERROR_STRING = "0x08c379a0";
    private static final String PANIC = "0x4e487b71";
    private static final Map<String, ErrorSpec> ERRORS = loadErrors();

    private RevertDecoder() {
    }

    static String describe(String revertDataHex) {
        if (revertDataHex == null || revertDataHex.isBlank() || revertDataHex.equalsIgnoreCase("0x")) {
            return "revert without data";
        }
        String data = Numeric.prependHexPrefix(revertDataHex.trim().toLowerCase(Locale.ROOT));
        if (data.length() < 10) {
            return "unknown revert " + data;
        }
        String selector = data.substring(0, 10);
        String args = "0x" + data.substring(10);
        try {
            if (selector.equals(ERROR_STRING)) {
                return "Error(\"" + decode(args, List.of("string")).get(0).getValue() + "\")";
            }
            if (selector.equals(PANIC)) {
                return "Panic(0x" + ((BigInteger) decode(args, List.of("uint256")).get(0).getValue()).toString(16) + ")";
            }
            ErrorSpec spec = ERRORS.get(selector);
            if (spec == null) {
                return "unknown revert " + data;
            }
            @SuppressWarnings("rawtypes")
            List<Type> values = FunctionReturnDecoder.decode(args, spec.inputs());
            if (values.size() != spec.inputs().size()) {
                return spec.name() + "(?) " + data;
            }
            return spec.name() + values.stream().map(RevertDecoder::format).collect(Collectors.joining(", ", "(", ")"));
        } catch (RuntimeException | ClassNotFoundException malformed) {
            return "malformed revert " + data;
        }
    }

    /**
     * The revert data of a JSON-RPC error (eth_call / eth_estimateGas): Anvil and Ganache put the 0x-hex in
     * {@code error.data}, Ganache sometimes inside an object (web3j then hands us its JSON text), so the longest
     * 0x-hex run that is not a 32-byte hash is taken. Null when there is none.
     */
    static String revertData(Response.Error error) {
        if (error == null || error.getData() == null) {
            return null;
        }
        String text = error.getData().toLowerCase(Locale.ROOT);
        String best = null;
        int from = 0;
        while (true) {
            int start = text.indexOf("0x", from);
            if (start < 0) {
                break;
            }
            int end = start + 2;
            while (end < text.length() && Character.digit(text.charAt(end), 16) >= 0) {
                end++;
            }
            String run = text.substring(start, end);
            boolean selectorShaped = (run.length() - 2) >= 8 && (run.length() - 10) % 64 == 0;
            if (selectorShaped && (best == null || run.length() > best.length())) {
                best = run;
            }
            from = end;
        }
        return best;
    }

    /** True when a JSON-RPC error means "the EVM reverted" rather than "the node could not do it". */
    static boolean isRevert(Response.Error error) {
        if (error == null) {
            return false;
        }
        String message = String.valueOf(error.getMessage()).toLowerCase(Locale.ROOT);
        return error.getCode() == 3 || message.contains("revert") || revertData(error) != null;
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static List<Type> decode(String args, List<String> types) throws ClassNotFoundException {
        List<TypeReference<Type>> refs = new ArrayList<>();
        for (String t : types) {
            refs.add((TypeReference<Type>) TypeReference.makeTypeReference(t));
        }
        return FunctionReturnDecoder.decode(args, refs);
    }

    @SuppressWarnings("rawtypes")
    private static String format(Type value) {
        Object v = value.getValue();
        if (v instanceof byte[] bytes) {
            return Numeric.toHexString(bytes);
        }
        if (v instanceof String s && value instanceof org.web3j.abi.datatypes.Address) {
            return s.toLowerCase(Locale.ROOT);
        }
        return String.valueOf(v);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, ErrorSpec> loadErrors() {
        Map<String, ErrorSpec> errors = new HashMap<>();
        for (String contract : List.of(ContractArtifact.REGISTRY, ContractArtifact.NAIVE_REGISTRY)) {
            for (JsonNode entry : ContractArtifact.load(contract).abi()) {
                if (!entry.path("type").asText().equals("error")) {
                    continue;
                }
                List<String> types = new ArrayList<>();
                entry.path("inputs").forEach(p -> types.add(p.path("type").asText()));
                String signature = entry.path("name").asText() + "(" + String.join(",", types) + ")";
                List<TypeReference<Type>> refs = new ArrayList<>();
                try {
                    for (String t : types) {
                        refs.add((TypeReference<Type>) TypeReference.makeTypeReference(t));
                    }
                } catch (ClassNotFoundException e) {
                    throw new IllegalStateException("unsupported ABI type in error " + signature, e);
                }
                errors.put(Hash.sha3String(signature).substring(0, 10), new ErrorSpec(entry.path("name").asText(), refs));
            }
        }
        return Map.copyOf(errors);
    }
}
