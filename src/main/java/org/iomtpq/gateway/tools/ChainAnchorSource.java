package org.iomtpq.gateway.tools;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.iomtpq.gateway.audit.AuditHashChain;
import org.iomtpq.gateway.audit.AuditVerifier.Anchor;
import org.iomtpq.gateway.chain.RegistryContract;
import org.iomtpq.gateway.chain.RegistryEvent;
import org.iomtpq.gateway.protocol.Hex0x;
import org.web3j.abi.EventEncoder;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.http.HttpService;

/**
 * The {@code AuditAnchored} logs of one stream, straight from a node with {@code eth_getLogs}: filtered by the
 * registry's address, the event's topic and the indexed {@code streamIdHash = keccak256(UTF8(stream))}, in chain
 * order (block, then log index). Read-only: no account, no signing.
 */
final class ChainAnchorSource implements AutoCloseable {

    private static final String TOPIC = EventEncoder.encode(RegistryContract.AUDIT_ANCHORED);

    private final String rpcUrl;
    private final String registry;
    private final Web3j web3j;

    ChainAnchorSource(String rpcUrl, String registry) {
        this.rpcUrl = rpcUrl;
        this.registry = registry;
        this.web3j = Web3j.build(new HttpService(rpcUrl));
    }

    String describe() {
        return "registry " + registry + " at " + rpcUrl;
    }

    List<Anchor> anchors(String stream) {
        String streamIdHash = AuditHashChain.streamIdHash(stream);
        EthFilter filter = new EthFilter(DefaultBlockParameterName.EARLIEST, DefaultBlockParameterName.LATEST, registry)
                .addSingleTopic(TOPIC).addNullTopic().addSingleTopic(streamIdHash);
        EthLog answer;
        try {
            answer = web3j.ethGetLogs(filter).send();
        } catch (IOException | RuntimeException e) {
            throw new AuditSource.SourceException("cannot read AuditAnchored logs from " + rpcUrl + ": " + e.getMessage(), e);
        }
        if (answer.hasError()) {
            throw new AuditSource.SourceException("eth_getLogs failed on " + rpcUrl + ": " + answer.getError().getMessage(),
                    null);
        }
        List<Log> logs = new ArrayList<>();
        for (EthLog.LogResult<?> result : answer.getLogs()) {
            // Re-check what the node was asked to filter: the verdict must not rest on the node's filtering.
            if (result.get() instanceof Log log && !log.isRemoved() && registry.equalsIgnoreCase(log.getAddress())) {
                logs.add(log);
            }
        }
        logs.sort(Comparator.comparing(Log::getBlockNumber).thenComparing(ChainAnchorSource::logIndex));
        List<Anchor> out = new ArrayList<>();
        for (Log log : logs) {
            RegistryContract.decode(log).ifPresent(event -> {
                if (event instanceof RegistryEvent.AuditAnchored a && Hex0x.encode(a.streamIdHash()).equals(streamIdHash)) {
                    out.add(new Anchor(a.firstSeq(), a.lastSeq(), Hex0x.encode(a.merkleRoot()), a.txHash()));
                }
            });
        }
        return out;
    }

    private static BigInteger logIndex(Log log) {
        return log.getLogIndexRaw() == null ? BigInteger.ZERO : log.getLogIndex();
    }

    @Override
    public void close() {
        web3j.shutdown();
    }
}
