package org.iomtpq.gateway.camel;

/** Exchange property names shared by the YAML routes and the adapters. */
public final class ExchangeKeys {
    /** {@link org.iomtpq.gateway.service.Transport#wireName()}: "http" or "mqtt"; set by the first step of every ingress route. */
    public static final String TRANSPORT = "iomtTransport";
    /** Set by the device ingress: a device message (not the operator API), kept as a dead letter if it cannot be processed. */
    public static final String DEVICE_MESSAGE = "iomtDeviceMessage";
    /** The {@link org.iomtpq.gateway.service.RequestContext} of a device message. */
    public static final String REQUEST = "iomtRequest";
    /** The step's wire name (enroll, hello, ...), used to pick the direct: route. */
    public static final String STEP = "iomtStep";
    /** The message bytes as received, for dead letters and QoS 1 repeat detection. */
    public static final String RAW_BODY = "iomtRawBody";
    /** Where a device message came from: the MQTT topic or the HTTP step, recorded in dead letters. */
    public static final String SOURCE = "iomtSource";
    /** MQTT: the topic to answer on, iomt/v1/{deviceId of the topic}/down. */
    public static final String REPLY_TOPIC = "iomtReplyTopic";
    /** HTTP status of the answer. */
    public static final String HTTP_STATUS = "iomtHttpStatus";
    /** Telemetry that is a QoS 1 repeat of a stored message: nothing to store, nothing to answer. */
    public static final String DUPLICATE = "iomtDuplicate";
    /** Telemetry: the decrypted, validated observation waiting for the write step. */
    public static final String OBSERVATION = "iomtObservation";
    /** A dead_letters document waiting to be written. */
    public static final String DEAD_LETTER = "iomtDeadLetter";
    /** The answer, kept while the body carries something else (a document to insert). */
    public static final String REPLY_JSON = "iomtReplyJson";
    /** The protocol error code the answer carries (absent: the message was accepted), for the metrics. */
    public static final String ERROR_CODE = "iomtErrorCode";

    private ExchangeKeys() {
    }
}
