package org.iomtpq.gateway.chain;

/** {@code gatewayKey}: the keccak256 of the gateway's ML-KEM key it was authorized with, and whether it still is. */
public record GatewayKey(byte[] kemKeyHash, boolean authorized) {
}
