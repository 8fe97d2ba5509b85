package org.iomtpq.gateway.audit;

/** Outcome recorded in an audit entry (PROTOCOL.md §10). */
public enum AuditStatus { SUCCESS, REJECTED }
