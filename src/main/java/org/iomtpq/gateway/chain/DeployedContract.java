package org.iomtpq.gateway.chain;

/** A contract deployment: its address (0x lowercase), the creating transaction and the gas it used. */
public record DeployedContract(String address, String txHash, long gasUsed) {
}
