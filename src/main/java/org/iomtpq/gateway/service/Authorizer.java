package org.iomtpq.gateway.service;

import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Set;

import org.iomtpq.gateway.crypto.ConstantTime;
import org.iomtpq.gateway.crypto.Hashes;
import org.iomtpq.gateway.protocol.ErrorCode;
import org.iomtpq.gateway.protocol.ProtocolException;

/**
 * Bearer-token check of the operator API, done before anything else. Tokens are compared as SHA-256 digests in
 * constant time, so neither the token's content nor its length leaks through timing. An empty token disables its role.
 */
public final class Authorizer {

    private static final String BEARER = "Bearer ";

    private final byte[] operatorDigest;
    private final byte[] auditorDigest;

    public Authorizer(String operatorToken, String auditorToken) {
        this.operatorDigest = digestOrNull(operatorToken);
        this.auditorDigest = digestOrNull(auditorToken);
        if (operatorDigest != null && auditorDigest != null && ConstantTime.equals(operatorDigest, auditorDigest)) {
            throw new IllegalStateException("the operator and auditor tokens must differ");
        }
    }

    /** Returns the caller's role if it is one of {@code allowed}; UNAUTHORIZED / FORBIDDEN otherwise. */
    public Role require(String authorizationHeader, Set<Role> allowed) {
        Role role = identify(authorizationHeader);
        if (!allowed.contains(role)) {
            throw new ProtocolException(ErrorCode.FORBIDDEN, "this token's role may not use this endpoint");
        }
        return role;
    }

    public Role requireOperator(String authorizationHeader) {
        return require(authorizationHeader, EnumSet.of(Role.OPERATOR));
    }

    public Role requireReader(String authorizationHeader) {
        return require(authorizationHeader, EnumSet.of(Role.OPERATOR, Role.AUDITOR));
    }

    private Role identify(String header) {
        // RFC 7235: the scheme name is case-insensitive.
        if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length()) || header.length() == BEARER.length()) {
            throw new ProtocolException(ErrorCode.UNAUTHORIZED, "missing bearer token");
        }
        byte[] presented = Hashes.sha256(header.substring(BEARER.length()).trim().getBytes(StandardCharsets.UTF_8));
        boolean operator = operatorDigest != null && ConstantTime.equals(presented, operatorDigest);
        boolean auditor = auditorDigest != null && ConstantTime.equals(presented, auditorDigest);
        if (operator) {
            return Role.OPERATOR;
        }
        if (auditor) {
            return Role.AUDITOR;
        }
        throw new ProtocolException(ErrorCode.UNAUTHORIZED, "unknown bearer token");
    }

    private static byte[] digestOrNull(String token) {
        return token == null || token.isBlank() ? null : Hashes.sha256(token.trim().getBytes(StandardCharsets.UTF_8));
    }
}
