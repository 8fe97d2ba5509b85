package org.iomtpq.gateway.chain;

import java.math.BigInteger;
import java.util.Optional;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthCall;

/**
 * Why a mined transaction failed: receipts carry only status 0, so the call is replayed with eth_call, first at
 * its block (state after it: the cause usually still holds), then at the block before. Best effort.
 */
final class RevertReplay {

    private RevertReplay() {
    }

    static String reason(RegistryClient client, String txHash, long block) {
        String rpc = client.settings().rpcUrl();
        try {
            Optional<org.web3j.protocol.core.methods.response.Transaction> tx = NodeErrors.sendOk(rpc,
                    client.web3j().ethGetTransactionByHash(txHash)).getTransaction();
            if (tx.isEmpty() || tx.get().getTo() == null) {
                return "reverted";
            }
            Transaction replay = Transaction.createEthCallTransaction(tx.get().getFrom(), tx.get().getTo(), tx.get().getInput());
            for (long at : new long[] {block, block - 1}) {
                if (at < 0) {
                    continue;
                }
                EthCall result = NodeErrors.send(rpc, client.web3j().ethCall(replay,
                        DefaultBlockParameter.valueOf(BigInteger.valueOf(at))));
                if (result.hasError() && RevertDecoder.isRevert(result.getError())) {
                    return RegistryContract.describeRevert(RevertDecoder.revertData(result.getError()));
                }
            }
            return "reverted (the replay does not revert: out of gas?)";
        } catch (ChainUnavailableException e) {
            return "reverted (reason unknown: " + e.getMessage() + ")";
        }
    }
}
