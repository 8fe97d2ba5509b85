package org.iomtpq.gateway.chain;

/**
 * A mined transaction, at least {@code confirmations} deep.
 *
 * @param success      receipt status 1
 * @param blockNumber  block it was mined in
 * @param gasUsed      gas it used
 * @param revertReason null on success; on failure the decoded custom error replayed by eth_call at that block
 *                     (best effort: "reverted" when the replay does not revert any more)
 */
public record TxOutcome(boolean success, long blockNumber, long gasUsed, String revertReason) {
}
