package org.iomtpq.gateway.chain;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.exceptions.ClientConnectionException;

/**
 * What the nodes we run on (Anvil, Ganache 7, geth-style clients) say when a raw transaction is refused,
 * sorted into the three cases the client must tell apart, plus the one place transport failures are mapped.
 */
final class NodeErrors {

    enum BroadcastRefusal { ALREADY_KNOWN, NONCE_USED, OTHER }

    /** "already known" (geth), "known transaction" (Ganache, older geth), "transaction already imported" (Anvil). */
    private static final List<String> ALREADY_KNOWN = List.of("already known", "known transaction", "already imported",
            "alreadyknown");
    /** "nonce too low" (geth, Anvil), Ganache 7: "the tx doesn't have the correct nonce. account has nonce of: N tx has nonce of: M". */
    private static final List<String> NONCE_USED = List.of("nonce too low", "nonce is too low", "correct nonce",
            "nonce has already been used", "oldnonce");

    private NodeErrors() {
    }

    static BroadcastRefusal classify(Response.Error error) {
        String message = String.valueOf(error.getMessage()).toLowerCase(Locale.ROOT);
        if (ALREADY_KNOWN.stream().anyMatch(message::contains)) {
            return BroadcastRefusal.ALREADY_KNOWN;
        }
        if (NONCE_USED.stream().anyMatch(message::contains) && !message.contains("too high")) {
            return BroadcastRefusal.NONCE_USED;
        }
        return BroadcastRefusal.OTHER;
    }

    /** Sends one JSON-RPC request; any transport failure becomes {@link ChainUnavailableException}. */
    static <T extends Response<?>> T send(String rpcUrl, Request<?, T> request) {
        try {
            T response = request.send();
            if (response == null) {
                throw new ChainUnavailableException(request.getMethod() + " on " + rpcUrl + ": empty answer");
            }
            return response;
        } catch (IOException | ClientConnectionException e) {
            throw new ChainUnavailableException("Ethereum node " + rpcUrl + " unreachable (" + request.getMethod() + "): "
                    + e.getMessage(), e);
        }
    }

    /** Like {@link #send} but a JSON-RPC error is a failure too (for calls that cannot legitimately fail). */
    static <T extends Response<?>> T sendOk(String rpcUrl, Request<?, T> request) {
        T response = send(rpcUrl, request);
        if (response.hasError()) {
            throw new ChainUnavailableException(request.getMethod() + " on " + rpcUrl + " failed: "
                    + response.getError().getMessage());
        }
        return response;
    }
}
