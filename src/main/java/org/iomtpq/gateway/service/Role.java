package org.iomtpq.gateway.service;

/** Operator API roles (PROTOCOL.md §3). */
public enum Role { OPERATOR, AUDITOR }
