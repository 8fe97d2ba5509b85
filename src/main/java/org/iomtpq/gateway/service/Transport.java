package org.iomtpq.gateway.service;

/** How a device message arrived; a few rules differ (enrollment authorization, QoS 1 repeats). */
public enum Transport { HTTP, MQTT }
