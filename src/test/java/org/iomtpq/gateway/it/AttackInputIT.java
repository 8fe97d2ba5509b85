package org.iomtpq.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import org.iomtpq.gateway.it.GatewayFixture.Response;
import org.iomtpq.gateway.protocol.DeviceHandshake;
import org.iomtpq.gateway.protocol.DeviceIdentity;
import org.iomtpq.gateway.protocol.DeviceSession;
import org.iomtpq.gateway.protocol.ErrorCode;
import org.iomtpq.gateway.protocol.FinishedMessage;
import org.iomtpq.gateway.protocol.MessageCodec;
import org.junit.jupiter.api.Test;

/**
 * PROTOCOL.md §0, §3, §8 over HTTP: malformed and NoSQL-injection-shaped device messages of every type, oversize
 * bodies, and the operator API's token, role, path and query checks. Each attack is checked by {@link #refused}.
 */
class AttackInputIT extends AttackSupport {

    private static final String NE_NULL = "{\"$ne\":null}";

    /** A valid message of every device type, with the path and token it is sent with. */
    private record Target(String step, String path, String token, String json) {
        Response send(GatewayFixture gw, String body) {
            return gw.request("POST", path, token, body);
        }
    }

    private Map<String, Target> validMessages() {
        DeviceIdentity device = enrolledOverHttp("INPUT_" + Long.toHexString(RANDOM.nextLong()).toUpperCase(), "bp-monitor");
        DeviceSession session = handshake(device);
        byte[] sixteen = new byte[16];
        byte[] mac = new byte[32];
        RANDOM.nextBytes(sixteen);
        RANDOM.nextBytes(mac);
        Map<String, Target> m = new LinkedHashMap<>();
        m.put("enroll", new Target("enroll", "/devices", gw.operatorToken(),
                Forge.enroll(DeviceIdentity.generate("INPUT_NEWCOMER", "thermometer", RANDOM), Instant.now(), RANDOM)));
        m.put("hello", new Target("hello", "/handshake/hello", null, MessageCodec.toJson(
                DeviceHandshake.start(device, GatewayFixture.GATEWAY_ID, gw.gatewayKey(), RANDOM).hello())));
        m.put("finished", new Target("finished", "/handshake/finished", null,
                MessageCodec.toJson(new FinishedMessage(device.deviceId(), sixteen, mac))));
        m.put("telemetry", new Target("telemetry", "/telemetry", null, MessageCodec.toJson(session.seal(Forge.normalReading()))));
        m.put("rotate", new Target("rotate", "/devices/" + device.deviceId() + "/rotate", null, MessageCodec.toJson(
                device.rotateTo(DeviceIdentity.generate(device.deviceId(), "bp-monitor", RANDOM), Instant.now(), RANDOM))));
        return m;
    }

    @Test
    void malformedAndInjectionShapedDeviceMessagesOfEveryType() {
        for (Target t : validMessages().values()) {
            String s = t.step();
            String j = t.json();
            refused(s + " with an unknown field", ErrorCode.MALFORMED_REQUEST, s, () -> t.send(gw, Forge.withFirstMember(j, "extra", "1")));
            refused(s + " with $where", ErrorCode.MALFORMED_REQUEST, s, () -> t.send(gw, Forge.withFirstMember(j, "$where", "\"1==1\"")));
            refused(s + " with a duplicate deviceId", ErrorCode.MALFORMED_REQUEST, s, () -> t.send(gw, Forge.withDuplicate(j, "deviceId", "ATTACK_OTHER")));
            refused(s + " with a duplicate type", ErrorCode.MALFORMED_REQUEST, s, () -> t.send(gw, Forge.withDuplicate(j, "type", s)));
            refused(s + " with deviceId {$ne:null}", ErrorCode.MALFORMED_REQUEST, s, () -> t.send(gw, Forge.replaceMember(j, "deviceId", NE_NULL)));
            refused(s + " with deviceId {$gt:''}", ErrorCode.MALFORMED_REQUEST, s, () -> t.send(gw, Forge.replaceMember(j, "deviceId", "{\"$gt\":\"\"}")));
            refused(s + " with deviceId [..]", ErrorCode.MALFORMED_REQUEST, s, () -> t.send(gw, Forge.replaceMember(j, "deviceId", "[\"A_B_C\"]")));
            refused(s + " with an invalid deviceId string", ErrorCode.MALFORMED_REQUEST, s, () -> t.send(gw, Forge.replaceMember(j, "deviceId", "\"x' || '1'=='1\"")));
            refused(s + " with v 2", ErrorCode.MALFORMED_REQUEST, s, () -> t.send(gw, Forge.replaceMember(j, "v", "2")));
            refused(s + " as a JSON array", ErrorCode.MALFORMED_REQUEST, s, () -> t.send(gw, "[" + j + "]"));
            refused(s + " not JSON", ErrorCode.MALFORMED_REQUEST, s, () -> t.send(gw, "deviceId=ATTACK_ALICE"));
            refused(s + " of 70 KiB", ErrorCode.PAYLOAD_TOO_LARGE, s,
                    () -> t.send(gw, Forge.withFirstMember(j, "pad", "\"" + "A".repeat(70 * 1024) + "\"")));
        }
        Map<String, Target> all = validMessages();
        for (String step : new String[] {"finished", "telemetry"}) {
            Target t = all.get(step);
            refused(step + " with sessionId {$ne:null}", ErrorCode.MALFORMED_REQUEST, step,
                    () -> t.send(gw, Forge.replaceMember(t.json(), "sessionId", NE_NULL)));
        }
        Target telemetry = all.get("telemetry");
        refused("telemetry with seq {$gt:0}", ErrorCode.MALFORMED_REQUEST, "telemetry",
                () -> telemetry.send(gw, Forge.replaceMember(telemetry.json(), "seq", "{\"$gt\":0}")));
        Target enroll = all.get("enroll");
        refused("enroll with kemPublicKey {$ne:null}", ErrorCode.MALFORMED_REQUEST, "enroll",
                () -> enroll.send(gw, Forge.replaceMember(enroll.json(), "kemPublicKey", NE_NULL)));
        Target hello = all.get("hello");
        refused("hello with another suite", ErrorCode.MALFORMED_REQUEST, "hello",
                () -> hello.send(gw, Forge.replaceMember(hello.json(), "suite", "\"MLKEM512-MLDSA44-AES128GCM-SHA256\"")));
    }

    @Test
    void tokensAndRoles() {
        String enroll = Forge.enroll(DeviceIdentity.generate("INPUT_TOKENS", "bp-monitor", RANDOM), Instant.now(), RANDOM);
        refused("enroll without token", ErrorCode.UNAUTHORIZED, "enroll", () -> gw.request("POST", "/devices", null, enroll));
        refused("enroll with an unknown token", ErrorCode.UNAUTHORIZED, "enroll", () -> gw.request("POST", "/devices", "not-a-token", enroll));
        refused("enroll as auditor", ErrorCode.FORBIDDEN, "enroll", () -> gw.request("POST", "/devices", gw.auditorToken(), enroll));
        refused("enroll with Basic credentials", ErrorCode.UNAUTHORIZED, "enroll", () -> gw.requestWithAuthorization("POST", "/devices",
                "Basic " + java.util.Base64.getEncoder().encodeToString(("operator:" + gw.operatorToken()).getBytes(StandardCharsets.UTF_8)),
                enroll.getBytes(StandardCharsets.UTF_8)));
        refused("enroll with an empty bearer", ErrorCode.UNAUTHORIZED, "enroll", () -> gw.requestWithAuthorization("POST", "/devices",
                "Bearer ", enroll.getBytes(StandardCharsets.UTF_8)));
        String victim = "CANARY_ATTACKINPUTIT";
        String approval = "/devices/INPUT_APPROVAL/approval";
        refused("approval without token", ErrorCode.UNAUTHORIZED, null, () -> gw.request("POST", approval, null, "{}"));
        refused("approval as auditor", ErrorCode.FORBIDDEN, null, () -> gw.request("POST", approval, gw.auditorToken(), "{}"));
        refused("revocation without token", ErrorCode.UNAUTHORIZED, null, () -> gw.request("DELETE", "/devices/" + victim, null, (byte[]) null));
        refused("revocation as auditor", ErrorCode.FORBIDDEN, null, () -> gw.request("DELETE", "/devices/" + victim, gw.auditorToken(), (byte[]) null));
        refused("observations as auditor", ErrorCode.FORBIDDEN, null, () -> gw.get("/devices/" + victim + "/observations", gw.auditorToken()));
        for (String path : new String[] {"/devices", "/devices/" + victim, "/devices/" + victim + "/status", "/stats", "/audit",
                "/devices/" + victim + "/audit", "/gateways/gateway-01/audit", "/devices/" + victim + "/observations"}) {
            refused("GET " + path + " without token", ErrorCode.UNAUTHORIZED, null, () -> gw.get(path, null));
            refused("GET " + path + " with an unknown token", ErrorCode.UNAUTHORIZED, null, () -> gw.get(path, gw.auditorToken() + "x"));
        }
        assertEquals(200, gw.get("/stats", gw.auditorToken()).status(), "the auditor may read what it is allowed to");
        assertEquals("ACTIVE", gw.device(victim).orElseThrow().getString("status"));
    }

    @Test
    void operatorPathQueryAndBodyInjections() {
        String ne = URLEncoder.encode(NE_NULL, StandardCharsets.UTF_8);
        String op = gw.operatorToken();
        for (String path : new String[] {"/devices/" + ne, "/devices/" + ne + "/status", "/devices/%24ne/audit",
                "/devices/" + ne + "/observations", "/gateways/" + ne + "/audit", "/devices/" + ne + "/registration"}) {
            String token = path.endsWith("/registration") ? null : op;
            refused("GET " + path, ErrorCode.MALFORMED_REQUEST, null, () -> gw.get(path, token));
        }
        refused("approval of an injected id", ErrorCode.MALFORMED_REQUEST, null, () -> gw.request("POST", "/devices/" + ne + "/approval", op, "{}"));
        refused("revocation of an injected id", ErrorCode.MALFORMED_REQUEST, null, () -> gw.request("DELETE", "/devices/%24where", op, (byte[]) null));
        refused("rotation of an injected id", ErrorCode.MALFORMED_REQUEST, "rotate", () -> gw.post("/devices/" + ne + "/rotate", "{}"));
        String gt = URLEncoder.encode("{\"$gt\":0}", StandardCharsets.UTF_8);
        for (String path : new String[] {"/devices?limit=" + gt, "/devices?offset=" + gt, "/devices?offset=-1", "/audit?fromSeq=" + gt,
                "/audit?limit=0", "/devices/CANARY_ATTACKINPUTIT/audit?limit=" + gt, "/devices/CANARY_ATTACKINPUTIT/observations?limit=" + gt}) {
            refused("GET " + path, ErrorCode.MALFORMED_REQUEST, null, () -> gw.get(path, op));
        }
        // a stream name is only ever compared as a string: an operator object matches nothing
        Response streamInjection = gw.get("/audit?stream=" + ne, op);
        assertEquals(200, streamInjection.status(), streamInjection.body());
        assertEquals(0, Answers.json(streamInjection.body()).get("entries").size());

        String approval = "/devices/INPUT_APPROVAL/approval";
        for (String body : new String[] {"{\"ttlSeconds\":{\"$gt\":0}}", "{\"keyCommitment\":" + NE_NULL + "}", "{\"ttlSeconds\":0}",
                "{\"ttlSeconds\":86401}", "{\"ttlSeconds\":1.5}", "{\"ttlSeconds\":\"600\"}", "{\"extra\":1}",
                "{\"ttlSeconds\":60,\"ttlSeconds\":600}", "{\"keyCommitment\":\"0xABC\"}", "[]", "not json"}) {
            refused("approval body " + body, ErrorCode.MALFORMED_REQUEST, null, () -> gw.request("POST", approval, op, body));
        }
        refused("revocation reason {$ne:null}", ErrorCode.MALFORMED_REQUEST, null,
                () -> gw.request("DELETE", "/devices/CANARY_ATTACKINPUTIT", op, "{\"reason\":" + NE_NULL + "}"));
        assertEquals("ACTIVE", gw.device("CANARY_ATTACKINPUTIT").orElseThrow().getString("status"));
    }

    @Test
    void queryValuesAreUrlDecoded() {
        String stream = Answers.json(gw.get("/audit", gw.operatorToken()).body()).get("stream").asText();
        JsonNode encoded = Answers.json(gw.get("/audit?stream=" + URLEncoder.encode(stream, StandardCharsets.UTF_8), gw.operatorToken()).body());
        assertEquals(stream, encoded.get("stream").asText());
        assertEquals(200, gw.get("/audit?limit=%31", gw.operatorToken()).status());
    }

    @Test
    void unknownAndInactiveDevicesOnTheOperatorApi() {
        refused("status of an unknown device", ErrorCode.UNKNOWN_DEVICE, null, () -> gw.get("/devices/INPUT_NOBODY/status", gw.operatorToken()));
        refused("revocation of an unknown device", ErrorCode.UNKNOWN_DEVICE, null,
                () -> gw.request("DELETE", "/devices/INPUT_NOBODY", gw.operatorToken(), (byte[]) null));
        refused("registration of an unknown device", ErrorCode.UNKNOWN_DEVICE, null, () -> gw.get("/devices/INPUT_NOBODY/registration", null));
        // REGISTRATION_FAILED cannot happen without a chain: the test sets it, as a reverted registration would
        DeviceIdentity failed = enrolledOverHttp("INPUT_REG_FAILED", "thermometer");
        gw.db().getCollection("device_keys").updateOne(Filters.eq("_id", failed.deviceId()), Updates.set("status", "REGISTRATION_FAILED"));
        refused("revocation of a failed registration", ErrorCode.DEVICE_NOT_ACTIVE, null,
                () -> gw.request("DELETE", "/devices/" + failed.deviceId(), gw.operatorToken(), (byte[]) null));
        refused("hello of a failed registration", ErrorCode.DEVICE_NOT_ACTIVE, "hello", () -> gw.post("/handshake/hello",
                MessageCodec.toJson(DeviceHandshake.start(failed, GatewayFixture.GATEWAY_ID, gw.gatewayKey(), RANDOM).hello())));
        // a failed registration is replaced by a new enrollment
        DeviceIdentity again = DeviceIdentity.generate(failed.deviceId(), "thermometer", RANDOM);
        assertEquals(201, gw.postAsOperator("/devices", Forge.enroll(again, Instant.now(), RANDOM)).status());
    }
}
