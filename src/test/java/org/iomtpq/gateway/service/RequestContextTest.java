package org.iomtpq.gateway.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.iomtpq.gateway.protocol.ErrorCode;
import org.iomtpq.gateway.protocol.ProtocolException;
import org.iomtpq.gateway.protocol.Step;
import org.junit.jupiter.api.Test;

/** The capabilities the services branch on, per transport (PROTOCOL.md §3, §4, §6); decided in {@link Transport}. */
class RequestContextTest {

    private static RequestContext over(Transport transport) {
        return new RequestContext(transport, Step.TELEMETRY, "BP_MONITOR_001");
    }

    @Test
    void mqttQos1KeepsMessagesUnacknowledgedRedeliversThemNeedsApprovalsAndAnswersOnlyErrors() {
        RequestContext mqtt = over(Transport.MQTT);
        assertTrue(mqtt.unacknowledgedUntilAnswered());
        assertTrue(mqtt.identicalRepeatsAreRedeliveries());
        assertTrue(mqtt.enrollmentNeedsApproval());
        assertFalse(mqtt.answersStoredTelemetry());
    }

    @Test
    void httpAnswersEverythingAtOnceAndItsTokenIsTheApproval() {
        RequestContext http = over(Transport.HTTP);
        assertFalse(http.unacknowledgedUntilAnswered());
        assertFalse(http.identicalRepeatsAreRedeliveries());
        assertFalse(http.enrollmentNeedsApproval());
        assertTrue(http.answersStoredTelemetry());
    }

    @Test
    void theNamesRecordedAndTheWordForTheDevicesAddressComeFromTheTransport() {
        assertEquals("mqtt", Transport.MQTT.wireName());
        assertEquals("http", Transport.HTTP.wireName());
        ProtocolException viaTopic = assertThrows(ProtocolException.class, () -> over(Transport.MQTT).bodyDeviceId("OTHER_001"));
        assertEquals(ErrorCode.MALFORMED_REQUEST, viaTopic.code());
        assertEquals("deviceId in the body differs from the one in the topic", viaTopic.getMessage());
        ProtocolException viaPath = assertThrows(ProtocolException.class, () -> over(Transport.HTTP).bodyDeviceId("OTHER_001"));
        assertEquals("deviceId in the body differs from the one in the path", viaPath.getMessage());
    }
}
