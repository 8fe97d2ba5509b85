package org.iomtpq.gateway.chain;

/**
 * The contract refuses the call (found by eth_estimateGas or eth_call, before anything is sent). The message
 * names the decoded custom error, e.g. {@code "registerDeviceKey reverted: DeviceAlreadyActive(0x…)"}.
 */
public final class ChainRevertException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String revertData;
    private final String reason;

    /**
     * @param call       what was attempted (function name)
     * @param revertData the raw revert data as 0x-hex, or null when the node gave none
     */
    public ChainRevertException(String call, String revertData) {
        this(call, revertData, RegistryContract.describeRevert(revertData));
    }

    private ChainRevertException(String call, String revertData, String reason) {
        super(call + " reverted: " + reason);
        this.revertData = revertData;
        this.reason = reason;
    }

    /** The raw revert data (selector + ABI-encoded arguments) as 0x-hex; null when the node gave none. */
    public String revertData() {
        return revertData;
    }

    /** The decoded reason, e.g. {@code DeviceAlreadyActive(0x…)}. */
    public String reason() {
        return reason;
    }

    /** The custom error's name (e.g. {@code DeviceAlreadyActive}), or the whole reason when it is not one. */
    public String errorName() {
        int paren = reason.indexOf('(');
        return paren > 0 ? reason.substring(0, paren) : reason;
    }
}
