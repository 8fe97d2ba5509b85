#!/usr/bin/env node
// Independent IoMT-PQ v1 device client (Node.js), written from ../../../shared/design/PROTOCOL.md alone.
// It plays a device against a running gateway over HTTP and/or MQTT and prints one PASS/FAIL line per check,
// plus NOTE lines where the specification left a choice open. Exit code 1 if any check failed.
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { ml_dsa65 } from '@noble/post-quantum/ml-dsa.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { hmac } from '@noble/hashes/hmac.js';
import { extract as hkdfExtract, expand as hkdfExpand } from '@noble/hashes/hkdf.js';
import mqtt from 'mqtt';
import crypto from 'node:crypto';

// ---------------------------------------------------------------------------------------------- CLI
function parseArgs(argv) {
  const o = { http: 'http://127.0.0.1:8080/api/v1', mqtt: 'tcp://127.0.0.1:1883', token: process.env.IOMT_OPERATOR_TOKEN,
    auditorToken: process.env.IOMT_AUDITOR_TOKEN, transport: 'both', mqttVersion: 5, quietMs: 1500, timeoutMs: 10000 };
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i], v = () => argv[++i];
    if (a === '--http') o.http = v().replace(/\/+$/, '');
    else if (a === '--mqtt') o.mqtt = v();
    else if (a === '--token') o.token = v();
    else if (a === '--auditor-token') o.auditorToken = v();
    else if (a === '--transport') o.transport = v();
    else if (a === '--mqtt-version') o.mqttVersion = Number(v());
    else if (a === '--quiet-ms') o.quietMs = Number(v());
    else if (a === '--timeout-ms') o.timeoutMs = Number(v());
    else if (a === '-h' || a === '--help') {
      console.log('usage: node client.mjs --http http://127.0.0.1:PORT/api/v1 --mqtt tcp://127.0.0.1:PORT --token OPERATOR_TOKEN\n' +
        '       [--transport http|mqtt|both] [--auditor-token T] [--mqtt-version 4|5] [--quiet-ms 1500] [--timeout-ms 10000]');
      process.exit(0);
    } else { console.error(`unknown argument ${a}`); process.exit(2); }
  }
  if (!o.token) { console.error('--token (operator token) is required'); process.exit(2); }
  if (!['http', 'mqtt', 'both'].includes(o.transport)) { console.error('--transport must be http, mqtt or both'); process.exit(2); }
  return o;
}
const OPT = parseArgs(process.argv);

// ------------------------------------------------------------------------------------------ reporting
let failures = 0, passes = 0;
const notes = new Set();
function pass(name, detail = '') { passes++; console.log(`PASS ${name}${detail ? ' — ' + detail : ''}`); }
function fail(name, detail = '') { failures++; console.log(`FAIL ${name}${detail ? ' — ' + detail : ''}`); }
function check(cond, name, okDetail, badDetail) { cond ? pass(name, okDetail) : fail(name, badDetail ?? okDetail); return !!cond; }
function note(text) { if (!notes.has(text)) { notes.add(text); console.log(`NOTE ${text}`); } }
const short = (x, n = 400) => { const s = typeof x === 'string' ? x : JSON.stringify(x); return s && s.length > n ? s.slice(0, n) + '…' : s; };

// ------------------------------------------------------------------------------------------ encoding
const enc = new TextEncoder();
const utf8 = (s) => enc.encode(s);
const concat = (...parts) => Buffer.concat(parts.map((p) => Buffer.from(p)));
const u32 = (n) => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };
const u64 = (n) => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(n)); return b; };
const LP = (x) => { const b = typeof x === 'string' ? Buffer.from(utf8(x)) : Buffer.from(x); return concat(u32(b.length), b); };
const b64 = (bytes) => Buffer.from(bytes).toString('base64');
const hex0x = (bytes) => '0x' + Buffer.from(bytes).toString('hex');
const keccakHex = (bytes) => hex0x(keccak_256(bytes));
const fromHex0x = (s) => Buffer.from(s.slice(2), 'hex');
const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000';
const TIME_RE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/;
const HEX32_RE = /^0x[0-9a-f]{64}$/;
const SUITE = 'MLKEM768-MLDSA65-AES256GCM-SHA256';
const HTTP_OF = { MALFORMED_REQUEST: 400, INVALID_KEY: 400, INVALID_SIGNATURE: 400, STALE_REQUEST: 400, UNAUTHORIZED: 401,
  FORBIDDEN: 403, UNKNOWN_DEVICE: 404, ALREADY_ENROLLED: 409, PAYLOAD_TOO_LARGE: 413, UNAVAILABLE: 503,
  DEVICE_NOT_ACTIVE: 409, DEVICE_REVOKED: 403, UNKNOWN_SESSION: 404, SESSION_EXPIRED: 401, HANDSHAKE_FAILED: 401,
  DECRYPT_FAILED: 400, REPLAY: 409, VALIDATION_FAILED: 422, RATE_LIMITED: 429 };

/** Canonical standard base64 with padding (RFC 4648 §4, §3.5) of an exact decoded length; null if not. */
function b64dec(s, len) {
  if (typeof s !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) return null;
  const b = Buffer.from(s, 'base64');
  if (b.toString('base64') !== s) return null;
  if (len !== undefined && b.length !== len) return null;
  return b;
}
const nowIso = (offsetMs = 0) => new Date(Date.now() + offsetMs).toISOString();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const rnd = (n) => crypto.randomBytes(n);
const randId = () => crypto.randomBytes(5).toString('hex').toUpperCase();

/** Exact field set check of an answer; returns a list of problems. */
function shapeProblems(obj, required, optional = []) {
  const p = [];
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return ['not a JSON object'];
  for (const k of required) if (!(k in obj)) p.push(`missing field ${k}`);
  for (const k of Object.keys(obj)) if (!required.includes(k) && !optional.includes(k)) p.push(`unexpected field ${k}`);
  if ('v' in obj && obj.v !== 1) p.push(`v=${JSON.stringify(obj.v)}`);
  return p;
}

// ------------------------------------------------------------------------------------------ device keys
function newKeys() {
  const kem = ml_kem768.keygen();
  const sig = ml_dsa65.keygen();
  return { kemPk: kem.publicKey, kemSk: kem.secretKey, sigPk: sig.publicKey, sigSk: sig.secretKey,
    commitment: keccak_256(concat(kem.publicKey, sig.publicKey)) };
}
function newDevice(prefix, deviceType = 'bp-monitor') {
  const deviceId = `${prefix}_${randId()}`;
  return { deviceId, deviceType, keys: newKeys(), retiredKeys: [] };
}
function enrollMessage(dev, timestamp = nowIso()) {
  const k = dev.keys;
  const signed = concat(LP('iomt-pq/v1/enroll'), LP(dev.deviceId), LP(dev.deviceType), LP(k.kemPk), LP(k.sigPk), LP(timestamp));
  return { type: 'enroll', v: 1, deviceId: dev.deviceId, deviceType: dev.deviceType, kemPublicKey: b64(k.kemPk),
    sigPublicKey: b64(k.sigPk), timestamp, signature: b64(ml_dsa65.sign(signed, k.sigSk)) };
}
function rotateMessage(dev, newK, timestamp = nowIso()) {
  const cur = dev.keys;
  const signed = concat(LP('iomt-pq/v1/rotate'), LP(dev.deviceId), LP(cur.commitment), LP(newK.kemPk), LP(newK.sigPk), LP(timestamp));
  return { type: 'rotate', v: 1, deviceId: dev.deviceId, kemPublicKey: b64(newK.kemPk), sigPublicKey: b64(newK.sigPk), timestamp,
    signature: b64(ml_dsa65.sign(signed, cur.sigSk)), newSignature: b64(ml_dsa65.sign(signed, newK.sigSk)) };
}

// ------------------------------------------------------------------------------------------ HTTP
async function http(method, path, body, token, rawBody) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  let payload;
  if (rawBody !== undefined) { payload = rawBody; headers['content-type'] = 'application/json'; }
  else if (body !== undefined) { payload = JSON.stringify(body); headers['content-type'] = 'application/json'; }
  const res = await fetch(OPT.http + path, { method, headers, body: payload });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, body: json, text, headers: res.headers };
}

// ------------------------------------------------------------------------------------------ MQTT
class MqttLink {
  constructor(url) { this.url = url; this.queues = new Map(); this.waiters = []; this.subs = new Set(); this.raw = new Map(); }
  async connect() {
    this.client = mqtt.connect(this.url, { protocolVersion: OPT.mqttVersion, clientId: `node-device-${randId()}`, clean: true,
      reconnectPeriod: 0, connectTimeout: 8000 });
    await new Promise((res, rej) => { this.client.once('connect', res); this.client.once('error', rej); });
    this.client.on('message', (topic, payload) => {
      let msg = null;
      try { msg = JSON.parse(payload.toString('utf8')); } catch { msg = { __unparsable: payload.toString('utf8') }; }
      const entry = { topic, msg, raw: payload.toString('utf8'), at: Date.now() };
      for (let i = 0; i < this.waiters.length; i++) {
        const w = this.waiters[i];
        if (w.match(entry)) { this.waiters.splice(i, 1); clearTimeout(w.timer); w.resolve(entry); return; }
      }
      if (!this.queues.has(topic)) this.queues.set(topic, []);
      this.queues.get(topic).push(entry);
    });
  }
  async subscribe(filter) {
    if (this.subs.has(filter)) return;
    await this.client.subscribeAsync(filter, { qos: 1 });
    this.subs.add(filter);
  }
  publish(topic, payload) { return this.client.publishAsync(topic, typeof payload === 'string' ? payload : JSON.stringify(payload), { qos: 1 }); }
  /** Next message (queued first) satisfying match; null after timeoutMs. */
  waitFor(match, timeoutMs) {
    for (const [, q] of this.queues) {
      const i = q.findIndex(match);
      if (i >= 0) return Promise.resolve(q.splice(i, 1)[0]);
    }
    return new Promise((resolve) => {
      const w = { match, resolve, timer: setTimeout(() => { this.waiters.splice(this.waiters.indexOf(w), 1); resolve(null); }, timeoutMs) };
      this.waiters.push(w);
    });
  }
  drain(topic) { const q = this.queues.get(topic) || []; this.queues.set(topic, []); return q; }
  async end() { if (this.client) await this.client.endAsync(); }
}

// ------------------------------------------------------------------------------------------ transports
const ANSWER_OF = { enroll: 'enrolled', hello: 'server-hello', finished: 'established', rotate: 'rotation', telemetry: 'ack' };
const HTTP_PATH = { hello: '/handshake/hello', finished: '/handshake/finished', telemetry: '/telemetry' };
const HTTP_OK = { enroll: 201, hello: 200, finished: 200, telemetry: 201, rotate: 200 };

function makeHttpTransport() {
  return {
    name: 'HTTP',
    async send(step, deviceId, msg, { raw } = {}) {
      const path = step === 'enroll' ? '/devices' : step === 'rotate' ? `/devices/${encodeURIComponent(deviceId)}/rotate` : HTTP_PATH[step];
      const r = await http('POST', path, raw === undefined ? msg : undefined, step === 'enroll' ? OPT.token : undefined, raw);
      return { status: r.status, body: r.body, text: r.text };
    },
  };
}
function makeMqttTransport(link) {
  return {
    name: 'MQTT', link,
    async prepare(deviceId) { await link.subscribe(`iomt/v1/${deviceId}/down`); },
    // topicId: the deviceId of the topic (may differ from the body's for a negative check)
    async send(step, deviceId, msg, { raw, expectSilence, topicId } = {}) {
      const tid = topicId ?? deviceId;
      const down = `iomt/v1/${tid}/down`;
      await link.subscribe(down);
      await link.publish(`iomt/v1/${tid}/up/${step}`, raw !== undefined ? raw : msg);
      const match = (e) => e.topic === down && e.msg && (e.msg.type === ANSWER_OF[step] || (e.msg.type === 'error' && e.msg.inReplyTo === step));
      const e = await link.waitFor(match, expectSilence ? OPT.quietMs : OPT.timeoutMs);
      return e ? { status: null, body: e.msg, text: e.raw } : { status: null, body: null, text: null };
    },
  };
}

const ERROR_FIELDS = ['type', 'v', 'code', 'message'];
function expectError(t, name, step, res, code, { seq } = {}) {
  const where = t.name === 'HTTP' ? `HTTP ${res.status} ${short(res.text, 300)}` : `down: ${short(res.text, 300)}`;
  if (!res.body) return fail(name, `expected error ${code}, got no answer${t.name === 'HTTP' ? ` (HTTP ${res.status} ${short(res.text)})` : ` within ${OPT.timeoutMs} ms`}`);
  const b = res.body;
  const probs = [];
  if (b.type !== 'error') probs.push(`type=${b.type}`);
  if (b.code !== code) probs.push(`code=${b.code}`);
  if (t.name === 'HTTP' && res.status !== HTTP_OF[code]) probs.push(`HTTP status ${res.status} != ${HTTP_OF[code]}`);
  if (b.inReplyTo !== step) probs.push(`inReplyTo=${JSON.stringify(b.inReplyTo)} (expected ${step})`);
  probs.push(...shapeProblems(b, ERROR_FIELDS, ['inReplyTo', 'seq']).filter((p) => !p.startsWith('missing field inReplyTo')));
  if (seq !== undefined && b.seq !== seq) probs.push(`seq=${JSON.stringify(b.seq)} (expected ${seq}: §8 "seq only for telemetry whose seq could be read")`);
  if (typeof b.message === 'string' && /Exception|\n\s+at |\tat /.test(b.message)) probs.push('message looks like a stack trace');
  return probs.length ? fail(name, `expected ${code}${t.name === 'HTTP' ? '/' + HTTP_OF[code] : ''}; ${probs.join('; ')}; ${where}`)
    : pass(name, `${code}${t.name === 'HTTP' ? ' ' + res.status : ''} inReplyTo=${b.inReplyTo}${b.seq !== undefined ? ' seq=' + b.seq : ''}`);
}

// ------------------------------------------------------------------------------------------ gateway record
async function fetchGateway(link) {
  const r = await http('GET', '/gateway');
  const g = r.body;
  const P = 'gateway record';
  if (!check(r.status === 200 && g, `${P}: GET /gateway`, `HTTP ${r.status}`, `HTTP ${r.status} ${short(r.text)}`)) return null;
  const probs = shapeProblems(g, ['type', 'v', 'gatewayId', 'kemPublicKey', 'kemKeyHash', 'gatewayAddress']);
  if (g.type !== 'gateway') probs.push(`type=${g.type}`);
  check(!probs.length, `${P}: shape`, `gatewayId=${g.gatewayId}`, probs.join('; '));
  const kemPk = b64dec(g.kemPublicKey, 1184);
  if (!check(kemPk, `${P}: kemPublicKey canonical base64, 1184 bytes`, '', `got ${short(g.kemPublicKey, 40)}`)) return null;
  check(HEX32_RE.test(g.kemKeyHash ?? ''), `${P}: kemKeyHash is 0x + 64 lowercase hex`, g.kemKeyHash, `got ${g.kemKeyHash}`);
  const mine = keccakHex(kemPk);
  if (!check(mine === g.kemKeyHash, `${P}: keccak256(kemPublicKey) == kemKeyHash (key pinned)`, mine, `computed ${mine}, record says ${g.kemKeyHash}`)) return null;
  check(g.gatewayAddress === ZERO_ADDRESS, `${P}: gatewayAddress is the zero address (registry.mode=none)`, g.gatewayAddress,
    `got ${g.gatewayAddress} (§2: with registry.mode=none gatewayAddress is the zero address)`);
  if (r.headers.get('x-iomt-registry-mode') && r.headers.get('x-iomt-registry-mode') !== 'none')
    note(`gateway announces X-IoMT-Registry-Mode=${r.headers.get('x-iomt-registry-mode')}; this client pins the key and skips the on-chain gatewayKey() check, which is only valid with registry.mode=none`);
  note('registry mode none: the gateway key is pinned from the first GET /gateway (trust on first use); the §5 gatewayKey(gatewayAddress) on-chain check is skipped');
  if (link) {
    await link.subscribe('iomt/v1/gateways/+');
    const e = await link.waitFor((x) => x.topic.startsWith('iomt/v1/gateways/'), 5000);
    if (!e) fail(`${P}: retained MQTT record on iomt/v1/gateways/+`, 'nothing received within 5 s');
    else {
      const same = JSON.stringify(e.msg) === JSON.stringify(g) || deepEqual(e.msg, g);
      check(same, `${P}: retained MQTT record on ${e.topic} identical to GET /gateway`, '', `MQTT ${short(e.raw)} vs HTTP ${short(r.text)}`);
      check(e.topic === `iomt/v1/gateways/${g.gatewayId}`, `${P}: retained topic names the gatewayId`, e.topic, `topic ${e.topic}, gatewayId ${g.gatewayId}`);
      if (same && e.raw !== r.text) note('retained MQTT gateway record and GET /gateway body are equal as JSON but not byte-identical (key order/whitespace); compared as JSON');
    }
  }
  return { gatewayId: g.gatewayId, kemPk, kemKeyHash: g.kemKeyHash };
}
function deepEqual(a, b) {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  const ka = Object.keys(a), kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
}

// ------------------------------------------------------------------------------------------ enrollment
function checkEnrolled(t, name, res, dev, okStatus) {
  const b = res.body;
  if (!b || b.type !== 'enrolled') return fail(name, `expected enrolled, got ${t.name === 'HTTP' ? 'HTTP ' + res.status + ' ' : ''}${short(res.text) ?? 'nothing'}`), false;
  const probs = shapeProblems(b, ['type', 'v', 'deviceId', 'status', 'deviceIdHash', 'keyCommitment', 'txHash']);
  if (t.name === 'HTTP' && res.status !== okStatus) probs.push(`HTTP ${res.status} (expected ${okStatus})`);
  if (b.deviceId !== dev.deviceId) probs.push(`deviceId=${b.deviceId}`);
  if (b.status !== 'ACTIVE') probs.push(`status=${b.status} (registry.mode=none: first answer already ACTIVE, §2)`);
  if (b.txHash !== null) probs.push(`txHash=${JSON.stringify(b.txHash)} (registry.mode=none: null)`);
  check(!probs.length, name, `status=${b.status}`, probs.join('; ') + ` — ${short(res.text)}`);
  const idh = keccakHex(utf8(dev.deviceId)), kc = hex0x(dev.keys.commitment);
  check(b.deviceIdHash === idh, `${t.name} enroll: deviceIdHash == keccak256(UTF8(deviceId))`, idh, `gateway ${b.deviceIdHash}, mine ${idh}`);
  check(b.keyCommitment === kc, `${t.name} enroll: keyCommitment == keccak256(kemPk || sigPk)`, kc, `gateway ${b.keyCommitment}, mine ${kc}`);
  return true;
}

async function enroll(t, dev) {
  if (t.name === 'HTTP') {
    const msg = enrollMessage(dev);
    const res = await t.send('enroll', dev.deviceId, msg);
    const ok = checkEnrolled(t, 'HTTP enroll: POST /devices → 201 enrolled', res, dev, 201);
    // identical re-enrollment: 200
    const again = await t.send('enroll', dev.deviceId, msg);
    checkEnrolled(t, 'HTTP enroll: identical re-enrollment → 200 enrolled', again, dev, 200);
    return ok;
  }
  // MQTT: operator approval first, bound to our key commitment
  const kc = hex0x(dev.keys.commitment);
  const ap = await http('POST', `/devices/${encodeURIComponent(dev.deviceId)}/approval`, { ttlSeconds: 600, keyCommitment: kc }, OPT.token);
  const a = ap.body;
  const aprobs = a ? shapeProblems(a, ['type', 'v', 'deviceId', 'expiresAt', 'keyCommitment']) : ['no JSON'];
  if (ap.status !== 201) aprobs.push(`HTTP ${ap.status}`);
  if (a && a.type !== 'approval') aprobs.push(`type=${a.type}`);
  if (a && a.keyCommitment !== kc) aprobs.push(`keyCommitment=${a.keyCommitment}`);
  if (a && !TIME_RE.test(a.expiresAt ?? '')) aprobs.push(`expiresAt=${a.expiresAt}`);
  check(!aprobs.length, 'MQTT enroll: POST /devices/{id}/approval (bound to keyCommitment) → 201 approval', `expiresAt=${a?.expiresAt}`,
    aprobs.join('; ') + ' — ' + short(ap.text));
  await t.prepare(dev.deviceId);
  const msg = enrollMessage(dev);
  const res = await t.send('enroll', dev.deviceId, msg);
  const ok = checkEnrolled(t, 'MQTT enroll: up/enroll → enrolled on down', res, dev);
  // §4: "over MQTT the gateway then publishes a second enrolled message with status ACTIVE" when mined; with mode none there is no mining.
  const extra = await t.link.waitFor((e) => e.topic === `iomt/v1/${dev.deviceId}/down` && e.msg?.type === 'enrolled', OPT.quietMs);
  note('registry.mode=none over MQTT: §4 promises a second `enrolled` (ACTIVE) once the registration is mined; with no chain the first answer is already ACTIVE (§2), so this client expects no second message but does not fail on one');
  if (extra) console.log(`INFO MQTT enroll: a second enrolled message arrived: ${short(extra.raw)}`);
  // identical repeat (QoS 1 redelivery, approval already consumed): answered as the original
  const again = await t.send('enroll', dev.deviceId, msg);
  checkEnrolled(t, 'MQTT enroll: byte-identical repeat (approval consumed) → enrolled again (§3 QoS 1)', again, dev);
  return ok;
}

// ------------------------------------------------------------------------------------------ handshake
async function handshake(t, dev, gw, label, { badMac = false, extraHelloField = false } = {}) {
  const nonceD = rnd(32);
  const eph = ml_kem768.keygen();
  const { cipherText: ctG, sharedSecret: ssG } = ml_kem768.encapsulate(gw.kemPk);
  const hello = { type: 'hello', v: 1, deviceId: dev.deviceId, gatewayId: gw.gatewayId, suite: SUITE, nonce: b64(nonceD),
    ephemeralKemPublicKey: b64(eph.publicKey), gatewayCiphertext: b64(ctG) };
  if (extraHelloField) hello.extra = 'x';
  const res = await t.send('hello', dev.deviceId, hello);
  if (extraHelloField) return res;
  const sh = res.body;
  const N = `${t.name} ${label}`;
  if (!sh || sh.type !== 'server-hello' || (t.name === 'HTTP' && res.status !== 200)) {
    fail(`${N}: hello → server-hello`, `got ${t.name === 'HTTP' ? 'HTTP ' + res.status + ' ' : ''}${short(res.text) ?? 'nothing'}`);
    return null;
  }
  const probs = shapeProblems(sh, ['type', 'v', 'deviceId', 'gatewayId', 'sessionId', 'nonce', 'expiresAt', 'maxMessages',
    'staticCiphertext', 'ephemeralCiphertext', 'mac']);
  if (sh.deviceId !== dev.deviceId) probs.push(`deviceId=${sh.deviceId}`);
  if (sh.gatewayId !== gw.gatewayId) probs.push(`gatewayId=${sh.gatewayId}`);
  const sid = b64dec(sh.sessionId, 16), nonceG = b64dec(sh.nonce, 32), ctS = b64dec(sh.staticCiphertext, 1088),
    ctE = b64dec(sh.ephemeralCiphertext, 1088), mac = b64dec(sh.mac, 32);
  for (const [k, v] of Object.entries({ sessionId: sid, nonce: nonceG, staticCiphertext: ctS, ephemeralCiphertext: ctE, mac }))
    if (!v) probs.push(`${k} not canonical base64 of the right length: ${short(sh[k], 60)}`);
  if (!TIME_RE.test(sh.expiresAt ?? '')) probs.push(`expiresAt=${sh.expiresAt} not RFC 3339 UTC`);
  if (!Number.isSafeInteger(sh.maxMessages) || sh.maxMessages < 1) probs.push(`maxMessages=${sh.maxMessages}`);
  if (probs.length) { fail(`${N}: server-hello shape`, probs.join('; ') + ' — ' + short(res.text)); return null; }
  pass(`${N}: hello → server-hello shape`, `sessionId=${sh.sessionId} expiresAt=${sh.expiresAt} maxMessages=${sh.maxMessages}`);
  const ttlH = (Date.parse(sh.expiresAt) - Date.now()) / 3600e3;
  if (Math.abs(ttlH - 24) > 0.1 || sh.maxMessages !== 1000000)
    console.log(`INFO ${N}: session limits differ from the §5 defaults (24 h, 1,000,000): ttl=${ttlH.toFixed(2)} h, maxMessages=${sh.maxMessages}`);

  const ssS = ml_kem768.decapsulate(ctS, dev.keys.kemSk);
  const ssE = ml_kem768.decapsulate(ctE, eph.secretKey);
  eph.secretKey.fill(0); // forward secrecy: erase the ephemeral secret after step 3
  const TH = sha256(concat(LP('iomt-pq/v1/handshake'), LP(dev.deviceId), LP(gw.gatewayId), LP(SUITE), LP(nonceD),
    LP(eph.publicKey), LP(ctG), LP(sid), LP(nonceG), LP(sh.expiresAt), u64(sh.maxMessages), LP(ctS), LP(ctE)));
  const PRK = hkdfExtract(sha256, concat(ssG, ssS, ssE), TH);
  const kD2G = hkdfExpand(sha256, PRK, utf8('iomt-pq/v1 device-to-gateway key'), 32);
  const kG2D = hkdfExpand(sha256, PRK, utf8('iomt-pq/v1 gateway-to-device key'), 32);
  const fkD = hkdfExpand(sha256, PRK, utf8('iomt-pq/v1 device finished'), 32);
  const fkG = hkdfExpand(sha256, PRK, utf8('iomt-pq/v1 gateway finished'), 32);
  const expectMac = Buffer.from(hmac(sha256, fkG, TH));
  if (!check(crypto.timingSafeEqual(expectMac, mac), `${N}: server-hello MAC == HMAC(fkG, TH) (gateway authenticated)`, '',
    `gateway mac ${sh.mac}, mine ${b64(expectMac)} — transcript or key schedule disagree`)) return null;

  const dmac = Buffer.from(hmac(sha256, fkD, TH));
  if (badMac) dmac[0] ^= 0x01;
  const fin = { type: 'finished', v: 1, deviceId: dev.deviceId, sessionId: sh.sessionId, mac: b64(dmac) };
  const fres = await t.send('finished', dev.deviceId, fin);
  const session = { sid, sidB64: sh.sessionId, kD2G, kG2D, expiresAt: sh.expiresAt, maxMessages: sh.maxMessages, fres,
    goodFinished: { ...fin, mac: b64(hmac(sha256, fkD, TH)) } };
  if (badMac) return session;
  const e = fres.body;
  const eprobs = e ? shapeProblems(e, ['type', 'v', 'deviceId', 'sessionId']) : ['no answer'];
  if (e && e.type !== 'established') eprobs.push(`type=${e.type}`);
  if (e && e.sessionId !== sh.sessionId) eprobs.push(`sessionId=${e.sessionId}`);
  if (e && e.deviceId !== dev.deviceId) eprobs.push(`deviceId=${e.deviceId}`);
  if (t.name === 'HTTP' && fres.status !== 200) eprobs.push(`HTTP ${fres.status}`);
  if (!check(!eprobs.length, `${N}: finished → established`, `sessionId=${e?.sessionId}`, eprobs.join('; ') + ' — ' + short(fres.text))) return null;
  return session;
}

// ------------------------------------------------------------------------------------------ telemetry
function vitalsFor(seq) { return { systolic: 145, diastolic: 92, heartRate: 87 + seq, spo2: 96, temperature: 37.2 }; }
function telemetryMessage(dev, s, seq, plaintextObj, { sidB64 } = {}) {
  const sidRaw = sidB64 ? Buffer.from(sidB64, 'base64') : s.sid;
  const nonce = concat(Buffer.alloc(4), u64(seq));
  const aad = concat(LP('iomt-pq/v1/telemetry'), LP(dev.deviceId), LP(sidRaw), u64(seq));
  const c = crypto.createCipheriv('aes-256-gcm', Buffer.from(s.kD2G), nonce, { authTagLength: 16 });
  c.setAAD(aad);
  const pt = Buffer.from(JSON.stringify(plaintextObj), 'utf8');
  const ct = concat(c.update(pt), c.final(), c.getAuthTag());
  return { type: 'telemetry', v: 1, deviceId: dev.deviceId, sessionId: sidB64 ?? s.sidB64, seq, ciphertext: b64(ct) };
}
async function sendTelemetryOk(t, dev, s, seq, label, sent) {
  const observedAt = nowIso();
  const vitals = vitalsFor(seq);
  const msg = telemetryMessage(dev, s, seq, { observedAt, vitals });
  const res = await t.send('telemetry', dev.deviceId, msg, { expectSilence: true });
  const N = `${t.name} ${label} seq ${seq}`;
  if (t.name === 'HTTP') {
    const b = res.body;
    const probs = b ? shapeProblems(b, ['type', 'v', 'seq']) : ['no JSON'];
    if (res.status !== 201) probs.push(`HTTP ${res.status}`);
    if (b && (b.type !== 'ack' || b.seq !== seq)) probs.push(`type=${b.type} seq=${b.seq}`);
    check(!probs.length, `${N} → 201 ack`, `ack seq=${b?.seq}`, probs.join('; ') + ' — ' + short(res.text));
  } else {
    check(!res.body, `${N} → no answer on down (accepted)`, `silent for ${OPT.quietMs} ms`, `got ${short(res.text)}`);
  }
  sent.push({ sessionId: s.sidB64, seq, observedAt, vitals });
  return msg;
}

// ------------------------------------------------------------------------------------------ one transport
async function runTransport(t, gw) {
  const T = t.name;
  const dev = newDevice(`NODE_${T}`);
  const sent = [];
  t.sent = sent;
  console.log(`---- ${T}: device ${dev.deviceId}`);
  if (!(await enroll(t, dev))) { fail(`${T}: enrollment failed, skipping the rest of this transport`); return; }

  // registration record (public)
  const reg = await http('GET', `/devices/${encodeURIComponent(dev.deviceId)}/registration`);
  {
    const b = reg.body;
    const probs = b ? shapeProblems(b, ['type', 'v', 'deviceId', 'status', 'deviceIdHash', 'keyCommitment', 'pendingKeyCommitment', 'txHash', 'revocationTxHash']) : ['no JSON'];
    if (reg.status !== 200) probs.push(`HTTP ${reg.status}`);
    if (b && (b.status !== 'ACTIVE' || b.keyCommitment !== hex0x(dev.keys.commitment) || b.pendingKeyCommitment !== null || b.txHash !== null))
      probs.push(`status=${b.status} keyCommitment=${b.keyCommitment} pending=${b.pendingKeyCommitment} txHash=${b.txHash}`);
    check(!probs.length, `${T}: GET /devices/{id}/registration (public)`, 'ACTIVE, commitment matches', probs.join('; ') + ' — ' + short(reg.text));
  }

  // §8: answers of endpoints that are not a device step omit inReplyTo — absent, not null
  {
    const unknown = await http('GET', `/devices/${encodeURIComponent(dev.deviceId + '_NOPE')}/registration`);
    const b = unknown.body;
    const probs = b ? shapeProblems(b, ['type', 'v', 'code', 'message']) : ['no JSON'];
    if (unknown.status !== 404 || b?.code !== 'UNKNOWN_DEVICE') probs.push(`HTTP ${unknown.status} code=${b?.code}`);
    check(!probs.length, `${T}: unknown device's registration → 404 UNKNOWN_DEVICE without inReplyTo`, '',
      probs.join('; ') + ' — ' + short(unknown.text));
  }

  // 3. handshake
  const s1 = await handshake(t, dev, gw, 'handshake #1');
  if (!s1) { fail(`${T}: handshake failed, skipping the rest of this transport`); return; }

  // 4. telemetry seq 1..3
  const msgs = {};
  for (const seq of [1, 2, 3]) msgs[seq] = await sendTelemetryOk(t, dev, s1, seq, 'telemetry', sent);
  if (T === 'MQTT') await waitObservations(dev, sent, 'MQTT telemetry seq 1..3 stored (observations)');

  // 5. negative checks
  // replay of seq 2 with a different (valid) ciphertext
  {
    const m = telemetryMessage(dev, s1, 2, { observedAt: nowIso(), vitals: { ...vitalsFor(2), heartRate: 120 } });
    const r = await t.send('telemetry', dev.deviceId, m);
    expectError(t, `${T} replay of seq 2 (fresh ciphertext) → REPLAY`, 'telemetry', r, 'REPLAY', { seq: 2 });
  }
  // byte-identical replay of seq 2
  {
    const r = await t.send('telemetry', dev.deviceId, msgs[2], { expectSilence: T === 'MQTT' });
    if (T === 'HTTP') {
      note('byte-identical repeat of stored telemetry over HTTP: §3 makes byte-identical repeats idempotent only in the MQTT (QoS 1) bullet, §6 says REPLAY for any stored seq; this client expects REPLAY over HTTP');
      expectError(t, 'HTTP byte-identical replay of seq 2 → REPLAY', 'telemetry', r, 'REPLAY', { seq: 2 });
    } else {
      check(!r.body, 'MQTT byte-identical repeat of seq 2 → no answer (§3: answered as the original, i.e. nothing)', 'silent', `got ${short(r.text)}`);
    }
  }
  // flipped ciphertext bit, fresh seq 4
  {
    const m = telemetryMessage(dev, s1, 4, { observedAt: nowIso(), vitals: vitalsFor(4) });
    const ct = Buffer.from(m.ciphertext, 'base64'); ct[3] ^= 0x01; m.ciphertext = b64(ct);
    const r = await t.send('telemetry', dev.deviceId, m);
    expectError(t, `${T} flipped ciphertext bit, seq 4 → DECRYPT_FAILED`, 'telemetry', r, 'DECRYPT_FAILED', { seq: 4 });
  }
  // seq 4 was not stored: a valid seq 4 is accepted (§6 "Only a stored message marks its seq as seen")
  await sendTelemetryOk(t, dev, s1, 4, 'telemetry after DECRYPT_FAILED (seq not burnt)', sent);
  // unknown field
  {
    const m = { ...telemetryMessage(dev, s1, 5, { observedAt: nowIso(), vitals: vitalsFor(5) }), extra: true };
    const r = await t.send('telemetry', dev.deviceId, m);
    expectError(t, `${T} telemetry with an unknown field → MALFORMED_REQUEST`, 'telemetry', r, 'MALFORMED_REQUEST');
  }
  {
    const r = await handshake(t, dev, gw, 'hello+unknown field', { extraHelloField: true });
    expectError(t, `${T} hello with an unknown field → MALFORMED_REQUEST`, 'hello', r, 'MALFORMED_REQUEST');
  }
  // seq 0
  {
    const m = telemetryMessage(dev, s1, 0, { observedAt: nowIso(), vitals: vitalsFor(0) });
    const r = await t.send('telemetry', dev.deviceId, m);
    expectError(t, `${T} telemetry seq 0 → MALFORMED_REQUEST`, 'telemetry', r, 'MALFORMED_REQUEST');
  }
  // non-canonical base64 (padding stripped, or a line break inserted)
  {
    const m = telemetryMessage(dev, s1, 6, { observedAt: nowIso(), vitals: vitalsFor(6) });
    m.ciphertext = m.ciphertext.endsWith('=') ? m.ciphertext.replace(/=+$/, '') : m.ciphertext.slice(0, 8) + '\n' + m.ciphertext.slice(8);
    const r = await t.send('telemetry', dev.deviceId, m);
    expectError(t, `${T} telemetry with non-canonical base64 ciphertext → MALFORMED_REQUEST`, 'telemetry', r, 'MALFORMED_REQUEST');
  }
  // plaintext with an unknown vital → VALIDATION_FAILED (seq 7, not stored)
  {
    const m = telemetryMessage(dev, s1, 7, { observedAt: nowIso(), vitals: { ...vitalsFor(7), bogus: 1 } });
    const r = await t.send('telemetry', dev.deviceId, m);
    expectError(t, `${T} plaintext with an unknown vital → VALIDATION_FAILED`, 'telemetry', r, 'VALIDATION_FAILED', { seq: 7 });
  }
  // random sessionId
  {
    const m = telemetryMessage(dev, s1, 1, { observedAt: nowIso(), vitals: vitalsFor(1) }, { sidB64: b64(rnd(16)) });
    const r = await t.send('telemetry', dev.deviceId, m);
    expectError(t, `${T} telemetry with a random sessionId → UNKNOWN_SESSION`, 'telemetry', r, 'UNKNOWN_SESSION', { seq: 1 });
  }
  // second handshake with a wrong finished MAC, then the right MAC on the dropped pending handshake
  {
    const s = await handshake(t, dev, gw, 'handshake #2 (bad finished MAC)', { badMac: true });
    if (s) {
      expectError(t, `${T} finished with a wrong MAC → HANDSHAKE_FAILED`, 'finished', s.fres, 'HANDSHAKE_FAILED');
      const r = await t.send('finished', dev.deviceId, s.goodFinished);
      expectError(t, `${T} correct finished after a failed one (pending state dropped) → HANDSHAKE_FAILED`, 'finished', r, 'HANDSHAKE_FAILED');
    } else fail(`${T} handshake #2 did not reach finished`);
  }
  // the first session still works after the failed second handshake
  await sendTelemetryOk(t, dev, s1, 8, 'telemetry on session #1 after failed handshake #2', sent);
  // stale enroll timestamp (fresh device, properly signed, 10 minutes old)
  {
    const d2 = newDevice(`NODE_${T}_STALE`);
    if (T === 'MQTT') await t.prepare(d2.deviceId);
    const r = await t.send('enroll', d2.deviceId, enrollMessage(d2, nowIso(-600e3)));
    expectError(t, `${T} enroll with a 10-minute-old timestamp → STALE_REQUEST`, 'enroll', r, 'STALE_REQUEST');
  }
  if (T === 'MQTT') {
    // §3: a body whose deviceId differs from the topic's → MALFORMED_REQUEST on the topic's down
    const m = telemetryMessage(dev, s1, 9, { observedAt: nowIso(), vitals: vitalsFor(9) });
    const other = `NODE_MQTT_OTHER_${randId()}`;
    const r = await t.send('telemetry', dev.deviceId, m, { topicId: other });
    expectError(t, 'MQTT telemetry body deviceId != topic deviceId → MALFORMED_REQUEST on the topic\'s down', 'telemetry', r, 'MALFORMED_REQUEST');
    // MQTT enroll without an approval → FORBIDDEN
    const d3 = newDevice('NODE_MQTT_NOAPPROVAL');
    const r3 = await t.send('enroll', d3.deviceId, enrollMessage(d3));
    expectError(t, 'MQTT enroll without operator approval → FORBIDDEN', 'enroll', r3, 'FORBIDDEN');
  }

  // 6. rotation
  const newK = newKeys();
  const rot = rotateMessage(dev, newK);
  const rr = await t.send('rotate', dev.deviceId, rot);
  {
    const b = rr.body;
    const probs = b ? shapeProblems(b, ['type', 'v', 'deviceId', 'status', 'keyCommitment', 'txHash']) : ['no answer'];
    if (T === 'HTTP' && rr.status !== 200) probs.push(`HTTP ${rr.status}`);
    if (b && b.type !== 'rotation') probs.push(`type=${b.type}`);
    if (b && b.status !== 'ACTIVE') probs.push(`status=${b.status} (registry.mode=none: rotations take effect at once, first answer ACTIVE, §2)`);
    if (b && b.keyCommitment !== hex0x(newK.commitment)) probs.push(`keyCommitment=${b.keyCommitment}, mine ${hex0x(newK.commitment)}`);
    if (b && b.txHash !== null) probs.push(`txHash=${b.txHash}`);
    check(!probs.length, `${T} rotate → rotation status ACTIVE with the new keyCommitment`, `keyCommitment=${b?.keyCommitment}`, probs.join('; ') + ' — ' + short(rr.text));
    note('§5a shows the rotation answer with "status":"PENDING_CHAIN"; with registry.mode=none §2 says rotations take effect at once and the first answer already says ACTIVE — this client expects ACTIVE');
  }
  if (T === 'MQTT') {
    const extra = await t.link.waitFor((e) => e.topic === `iomt/v1/${dev.deviceId}/down` && e.msg?.type === 'rotation', OPT.quietMs);
    if (extra) console.log(`INFO MQTT rotate: a second rotation message arrived: ${short(extra.raw)}`);
    const again = await t.send('rotate', dev.deviceId, rot);
    check(again.body?.type === 'rotation' && again.body?.keyCommitment === hex0x(newK.commitment) && again.body?.status === rr.body?.status,
      'MQTT byte-identical repeat of an accepted rotate → answered as the original (§3 QoS 1)', short(again.text, 160), short(again.text) ?? 'no answer');
  }
  const oldKeys = dev.keys;
  dev.retiredKeys.push(oldKeys);
  dev.keys = newK;
  {
    const r = await http('GET', `/devices/${encodeURIComponent(dev.deviceId)}/registration`);
    const b = r.body || {};
    check(r.status === 200 && b.keyCommitment === hex0x(newK.commitment) && b.pendingKeyCommitment === null && b.status === 'ACTIVE',
      `${T} registration after rotation: new keyCommitment, no pending rotation, ACTIVE`, '', short(r.text));
  }
  // old session ended by the rotation
  {
    const m = telemetryMessage(dev, s1, 10, { observedAt: nowIso(), vitals: vitalsFor(10) });
    const r = await t.send('telemetry', dev.deviceId, m);
    expectError(t, `${T} telemetry on the pre-rotation session → SESSION_EXPIRED`, 'telemetry', r, 'SESSION_EXPIRED', { seq: 10 });
  }
  // rotating again to the old keys is refused (a key the device ever had)
  {
    const back = rotateMessage(dev, oldKeys);
    const r = await t.send('rotate', dev.deviceId, back);
    expectError(t, `${T} rotate back to previously used keys → INVALID_KEY`, 'rotate', r, 'INVALID_KEY');
  }
  const s2 = await handshake(t, dev, gw, 'handshake #3 (new keys)');
  if (s2) {
    await sendTelemetryOk(t, dev, s2, 1, 'telemetry on the post-rotation session', sent);
    // replay window boundary (§6: seq > highest stored - 64)
    await sendTelemetryOk(t, dev, s2, 100, 'replay window: jump ahead', sent);
    {
      const m = telemetryMessage(dev, s2, 36, { observedAt: nowIso(), vitals: vitalsFor(36) });
      const r = await t.send('telemetry', dev.deviceId, m);
      expectError(t, `${T} replay window: seq 36 after highest 100 (36 <= 100-64) → REPLAY`, 'telemetry', r, 'REPLAY', { seq: 36 });
    }
    await sendTelemetryOk(t, dev, s2, 37, 'replay window: seq 37 after highest 100 (37 > 36) accepted', sent);
  } else fail(`${T}: no post-rotation session`);
  await extraChecks(t, dev, gw, s2);

  // 7. observations
  await waitObservations(dev, sent, `${T} GET /devices/{id}/observations shows every reading sent`);
  if (OPT.auditorToken) {
    const r = await http('GET', `/devices/${encodeURIComponent(dev.deviceId)}/observations`, undefined, OPT.auditorToken);
    check(r.status === 403 && r.body?.code === 'FORBIDDEN', `${T} observations with the auditor token → FORBIDDEN 403 (PHI)`, '', `HTTP ${r.status} ${short(r.text)}`);
  }
  {
    const r = await http('GET', `/devices/${encodeURIComponent(dev.deviceId)}/observations`);
    check(r.status === 401 && r.body?.code === 'UNAUTHORIZED', `${T} observations without a token → UNAUTHORIZED 401`, '', `HTTP ${r.status} ${short(r.text)}`);
  }
  await revocation(t, dev, gw, s2);
  return dev;
}

// ------------------------------------------------------------------------------------------ extra edge checks
function badModulusKemPk() {
  const pk = Buffer.from(ml_kem768.keygen().publicKey);
  pk[0] = 0xff; pk[1] |= 0x0f; // first 12-bit coefficient = 4095 >= q = 3329: fails the FIPS 203 §7.2 modulus check
  return pk;
}
async function extraChecks(t, dev, gw, s2) {
  const T = t.name;
  const send = (step, id, msg, o) => t.send(step, id, msg, o);
  const baseHello = () => {
    const { cipherText } = ml_kem768.encapsulate(gw.kemPk);
    return { type: 'hello', v: 1, deviceId: dev.deviceId, gatewayId: gw.gatewayId, suite: SUITE, nonce: b64(rnd(32)),
      ephemeralKemPublicKey: b64(ml_kem768.keygen().publicKey), gatewayCiphertext: b64(cipherText) };
  };
  expectError(t, `${T} hello with another gatewayId → MALFORMED_REQUEST`, 'hello', await send('hello', dev.deviceId, { ...baseHello(), gatewayId: 'gateway-zz' }), 'MALFORMED_REQUEST');
  expectError(t, `${T} hello with another suite → MALFORMED_REQUEST`, 'hello', await send('hello', dev.deviceId, { ...baseHello(), suite: 'MLKEM512-MLDSA44-AES128GCM-SHA256' }), 'MALFORMED_REQUEST');
  expectError(t, `${T} hello with an ephemeral key failing the FIPS 203 modulus check → INVALID_KEY`, 'hello',
    await send('hello', dev.deviceId, { ...baseHello(), ephemeralKemPublicKey: b64(badModulusKemPk()) }), 'INVALID_KEY');
  expectError(t, `${T} hello with a 1183-byte ephemeral key → INVALID_KEY`, 'hello',
    await send('hello', dev.deviceId, { ...baseHello(), ephemeralKemPublicKey: b64(ml_kem768.keygen().publicKey.slice(0, 1183)) }), 'INVALID_KEY');
  expectError(t, `${T} hello with a 1087-byte gatewayCiphertext → MALFORMED_REQUEST`, 'hello',
    await send('hello', dev.deviceId, { ...baseHello(), gatewayCiphertext: b64(rnd(1087)) }), 'MALFORMED_REQUEST');
  {
    const raw = JSON.stringify(baseHello()).replace('"v":1', '"v":1,"v":1');
    expectError(t, `${T} hello with a duplicate key → MALFORMED_REQUEST`, 'hello', await send('hello', dev.deviceId, null, { raw }), 'MALFORMED_REQUEST');
  }
  {
    const h = baseHello(); h.v = '1';
    expectError(t, `${T} hello with "v":"1" (wrong JSON type) → MALFORMED_REQUEST`, 'hello', await send('hello', dev.deviceId, h), 'MALFORMED_REQUEST');
  }
  {
    const ghost = `NODE_${T}_GHOST_${randId()}`;
    if (T === 'MQTT') await t.prepare(ghost);
    expectError(t, `${T} hello from a never-enrolled device → UNKNOWN_DEVICE`, 'hello', await send('hello', ghost, { ...baseHello(), deviceId: ghost }), 'UNKNOWN_DEVICE');
  }
  {
    const m = { ...baseHello(), nonce: 'A'.repeat(70000) };
    expectError(t, `${T} 70 kB hello → PAYLOAD_TOO_LARGE`, 'hello', await send('hello', dev.deviceId, m), 'PAYLOAD_TOO_LARGE');
  }
  if (s2) {
    const m = telemetryMessage(dev, s2, 200, { observedAt: nowIso(), vitals: vitalsFor(1) }); m.seq = '200';
    expectError(t, `${T} telemetry with "seq":"200" (string) → MALFORMED_REQUEST`, 'telemetry', await send('telemetry', dev.deviceId, m), 'MALFORMED_REQUEST');
    const m2 = telemetryMessage(dev, s2, 201, { observedAt: nowIso(), vitals: vitalsFor(1) });
    m2.sessionId = b64(rnd(15));
    expectError(t, `${T} telemetry with a 15-byte sessionId → MALFORMED_REQUEST`, 'telemetry', await send('telemetry', dev.deviceId, m2), 'MALFORMED_REQUEST');
    const m3 = telemetryMessage(dev, s2, 202, 'not an object');
    expectError(t, `${T} plaintext that is a JSON string, not an object → VALIDATION_FAILED`, 'telemetry', await send('telemetry', dev.deviceId, m3), 'VALIDATION_FAILED', { seq: 202 });
    const m4 = telemetryMessage(dev, s2, 203, { observedAt: nowIso(), vitals: { heartRate: '88' } });
    expectError(t, `${T} plaintext with a string vital → VALIDATION_FAILED`, 'telemetry', await send('telemetry', dev.deviceId, m4), 'VALIDATION_FAILED', { seq: 203 });
    const m5 = telemetryMessage(dev, s2, 204, { observedAt: nowIso(), vitals: {} });
    expectError(t, `${T} plaintext with no vital → VALIDATION_FAILED`, 'telemetry', await send('telemetry', dev.deviceId, m5), 'VALIDATION_FAILED', { seq: 204 });
    const m6 = telemetryMessage(dev, s2, 205, { observedAt: nowIso(), vitals: vitalsFor(1), note: 'x' });
    expectError(t, `${T} plaintext with an unknown top-level field → VALIDATION_FAILED`, 'telemetry', await send('telemetry', dev.deviceId, m6), 'VALIDATION_FAILED', { seq: 205 });
    // a seq rejected by VALIDATION_FAILED was not stored: it may be used again
    await sendTelemetryOk(t, dev, s2, 205, 'telemetry reusing a seq rejected by VALIDATION_FAILED', t.sent);
    // out-of-range value: stored and flagged
    const observedAt = nowIso(), vitals = { spo2: 49, heartRate: 88 };
    const m7 = telemetryMessage(dev, s2, 206, { observedAt, vitals });
    const r7 = await send('telemetry', dev.deviceId, m7, { expectSilence: true });
    check(T === 'HTTP' ? r7.status === 201 && r7.body?.seq === 206 : !r7.body, `${T} telemetry with spo2=49 (out of range) accepted`, '', short(r7.text));
    t.sent.push({ sessionId: s2.sidB64, seq: 206, observedAt, vitals, quality: { spo2: 'OUT_OF_RANGE' } });
  }
  if (T === 'HTTP') {
    const d = newDevice('NODE_HTTP_EDGE');
    const bad = { ...d, keys: { ...d.keys, kemPk: badModulusKemPk() } };
    expectError(t, 'HTTP enroll with a kemPublicKey failing the FIPS 203 modulus check → INVALID_KEY', 'enroll', await send('enroll', d.deviceId, enrollMessage(bad)), 'INVALID_KEY');
    const m = enrollMessage(d); const sg = Buffer.from(m.signature, 'base64'); sg[100] ^= 1; m.signature = b64(sg);
    expectError(t, 'HTTP enroll with a corrupted signature → INVALID_SIGNATURE', 'enroll', await send('enroll', d.deviceId, m), 'INVALID_SIGNATURE');
    const ts = new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1456789Z');
    const r = await send('enroll', d.deviceId, enrollMessage(d, ts));
    checkEnrolled(t, 'HTTP enroll with a 9-fractional-digit timestamp (signed as sent) → 201 enrolled', r, d, 201);
    if (s2) {
      const m = telemetryMessage(d, s2, 1, { observedAt: nowIso(), vitals: vitalsFor(1) });
      expectError(t, "HTTP telemetry of another ACTIVE device on this device's session → UNKNOWN_SESSION", 'telemetry', await send('telemetry', d.deviceId, m), 'UNKNOWN_SESSION', { seq: 1 });
    }
    const other = { ...d, keys: newKeys() };
    expectError(t, 'HTTP enroll of an ACTIVE device with other keys → ALREADY_ENROLLED', 'enroll', await send('enroll', d.deviceId, enrollMessage(other)), 'ALREADY_ENROLLED');
    const ra = await http('POST', '/devices', enrollMessage(newDevice('NODE_HTTP_AUD')), OPT.auditorToken ?? 'x');
    check(ra.status === (OPT.auditorToken ? 403 : 401), `HTTP POST /devices with ${OPT.auditorToken ? 'the auditor token → FORBIDDEN 403' : 'a bad token → UNAUTHORIZED 401'}`, '', `HTTP ${ra.status} ${short(ra.text)}`);
    for (const [body, what] of [[{ ttlSeconds: 0 }, 'ttlSeconds 0'], [{ ttlSeconds: 86401 }, 'ttlSeconds 86401'], [{ ttlSeconds: 600, x: 1 }, 'an unknown field'], [{ ttlSeconds: '600' }, 'ttlSeconds as a string'], [{ ttlSeconds: 600.5 }, 'ttlSeconds 600.5']]) {
      const ap = await http('POST', `/devices/NODE_X_${randId()}/approval`, body, OPT.token);
      check(ap.status === 400 && ap.body?.code === 'MALFORMED_REQUEST', `HTTP approval with ${what} → MALFORMED_REQUEST 400`, '', `HTTP ${ap.status} ${short(ap.text)}`);
    }
    const ap = await http('POST', `/devices/NODE_X_${randId()}/approval`, undefined, OPT.token);
    const left = Date.parse(ap.body?.expiresAt) - Date.now();
    check(ap.status === 201 && ap.body?.keyCommitment === null && left > 590e3 && left < 610e3,
      'HTTP approval with no body → 201, keyCommitment null, expires in ~600 s', '', `HTTP ${ap.status} ${short(ap.text)}`);
  } else {
    const d = newDevice('NODE_MQTT_WRONGAPPROVAL');
    await http('POST', `/devices/${d.deviceId}/approval`, { keyCommitment: hex0x(newKeys().commitment) }, OPT.token);
    expectError(t, 'MQTT enroll with an approval bound to another keyCommitment → FORBIDDEN', 'enroll', await send('enroll', d.deviceId, enrollMessage(d)), 'FORBIDDEN');
  }
  {
    const m = rotateMessage(dev, newKeys()); const sg = Buffer.from(m.newSignature, 'base64'); sg[50] ^= 1; m.newSignature = b64(sg);
    expectError(t, `${T} rotate with a corrupted newSignature → INVALID_SIGNATURE`, 'rotate', await send('rotate', dev.deviceId, m), 'INVALID_SIGNATURE');
    const m2 = rotateMessage(dev, newKeys(), nowIso(-400e3));
    expectError(t, `${T} rotate with a 400-s-old timestamp → STALE_REQUEST`, 'rotate', await send('rotate', dev.deviceId, m2), 'STALE_REQUEST');
  }
}

async function revocation(t, dev, gw, s) {
  const T = t.name;
  const r = await http('DELETE', `/devices/${encodeURIComponent(dev.deviceId)}`, { reason: 'interop test' }, OPT.token);
  const b = r.body;
  check(r.status === 200 && b?.type === 'registration' && b?.status === 'REVOKED' && !shapeProblems(b, ['type', 'v', 'deviceId', 'status', 'deviceIdHash', 'keyCommitment', 'pendingKeyCommitment', 'txHash', 'revocationTxHash']).length,
    `${T} DELETE /devices/{id} → 200 registration REVOKED`, '', `HTTP ${r.status} ${short(r.text)}`);
  if (s) {
    const m = telemetryMessage(dev, s, 300, { observedAt: nowIso(), vitals: vitalsFor(1) });
    expectError(t, `${T} telemetry after revocation → DEVICE_REVOKED`, 'telemetry', await t.send('telemetry', dev.deviceId, m), 'DEVICE_REVOKED', { seq: 300 });
  }
  const { cipherText } = ml_kem768.encapsulate(gw.kemPk);
  const h = { type: 'hello', v: 1, deviceId: dev.deviceId, gatewayId: gw.gatewayId, suite: SUITE, nonce: b64(rnd(32)),
    ephemeralKemPublicKey: b64(ml_kem768.keygen().publicKey), gatewayCiphertext: b64(cipherText) };
  expectError(t, `${T} hello after revocation → DEVICE_REVOKED`, 'hello', await t.send('hello', dev.deviceId, h), 'DEVICE_REVOKED');
  if (T === 'HTTP') {
    expectError(t, 'HTTP re-enroll a REVOKED device with its burnt keys → INVALID_KEY', 'enroll', await t.send('enroll', dev.deviceId, enrollMessage(dev)), 'INVALID_KEY');
    const mk = newKeys();
    const mixed = { ...dev, keys: { ...mk, kemPk: dev.retiredKeys[0].kemPk, kemSk: dev.retiredKeys[0].kemSk } };
    mixed.keys.commitment = keccak_256(concat(mixed.keys.kemPk, mixed.keys.sigPk));
    expectError(t, 'HTTP re-enroll a REVOKED device reusing a pre-rotation KEM key → INVALID_KEY', 'enroll', await t.send('enroll', dev.deviceId, enrollMessage(mixed)), 'INVALID_KEY');
    const fresh = { ...dev, keys: newKeys() };
    checkEnrolled(t, 'HTTP re-enroll a REVOKED device with new keys → 201 enrolled', await t.send('enroll', dev.deviceId, enrollMessage(fresh)), fresh, 201);
  }
}

async function waitObservations(dev, sent, name) {
  let last = null;
  for (let i = 0; i < 20; i++) {
    last = await http('GET', `/devices/${encodeURIComponent(dev.deviceId)}/observations?limit=100`, undefined, OPT.token);
    const obs = last.body?.observations;
    if (last.status === 200 && Array.isArray(obs) && sent.every((s) => obs.some((o) => o.sessionId === s.sessionId && o.seq === s.seq))) break;
    await sleep(300);
  }
  const b = last.body;
  const probs = [];
  if (last.status !== 200 || !b) { fail(name, `HTTP ${last.status} ${short(last.text)}`); return; }
  probs.push(...shapeProblems(b, ['type', 'v', 'deviceId', 'observations']));
  if (b.type !== 'observations' || b.deviceId !== dev.deviceId) probs.push(`type=${b.type} deviceId=${b.deviceId}`);
  const obs = Array.isArray(b.observations) ? b.observations : [];
  for (const s of sent) {
    const o = obs.filter((x) => x.sessionId === s.sessionId && x.seq === s.seq);
    if (o.length !== 1) { probs.push(`session ${s.sessionId} seq ${s.seq}: ${o.length} observations`); continue; }
    const x = o[0];
    const op = shapeProblems(x, ['sessionId', 'seq', 'observedAt', 'receivedAt', 'vitals', 'quality']);
    if (op.length) probs.push(`seq ${s.seq}: ${op.join(', ')}`);
    if (!deepEqual(x.vitals, s.vitals)) probs.push(`seq ${s.seq}: vitals ${JSON.stringify(x.vitals)} != sent ${JSON.stringify(s.vitals)}`);
    if (x.observedAt !== s.observedAt) {
      if (Date.parse(x.observedAt) === Date.parse(s.observedAt)) note(`observations: observedAt is returned reformatted (${x.observedAt} for sent ${s.observedAt}); same instant`);
      else probs.push(`seq ${s.seq}: observedAt ${x.observedAt} != sent ${s.observedAt}`);
    }
    if (!TIME_RE.test(x.receivedAt ?? '')) probs.push(`seq ${s.seq}: receivedAt=${x.receivedAt}`);
    if (s.quality) { if (!deepEqual(x.quality, s.quality)) probs.push(`seq ${s.seq}: quality ${JSON.stringify(x.quality)}, expected ${JSON.stringify(s.quality)}`); }
    else if (x.quality !== null && typeof x.quality === 'object' && Object.keys(x.quality).length) probs.push(`seq ${s.seq}: quality ${JSON.stringify(x.quality)} for in-range vitals`);
  }
  const qualities = new Set(obs.filter((x) => !sent.find((y) => y.seq === x.seq && y.sessionId === x.sessionId)?.quality).map((x) => JSON.stringify(x.quality)));
  note(`observations: §3/§6 do not say what "quality" is for in-range vitals; gateway returns ${[...qualities].join(' / ')}`);
  if (obs.length > sent.length) probs.push(`${obs.length - sent.length} extra observation(s) stored (a rejected message was stored?): ${short(obs.filter((x) => !sent.some((s) => s.sessionId === x.sessionId && s.seq === x.seq)))}`);
  // newest first
  const keys = obs.map((x) => Date.parse(x.receivedAt));
  if (keys.some((k, i) => i > 0 && k > keys[i - 1])) probs.push('not ordered newest first by receivedAt');
  check(!probs.length, name, `${obs.length} observation(s), vitals/seq/sessionId/observedAt match`, probs.join('; '));
}

// ------------------------------------------------------------------------------------------ audit chain
async function verifyAudit(devices) {
  const entries = [];
  let stream = null, fromSeq = 1;
  for (;;) {
    const r = await http('GET', `/audit?fromSeq=${fromSeq}&limit=1000`, undefined, OPT.token);
    if (r.status !== 200 || !r.body) return fail('audit: GET /audit', `HTTP ${r.status} ${short(r.text)}`);
    const probs = shapeProblems(r.body, ['type', 'v', 'stream', 'entries']);
    if (probs.length || r.body.type !== 'audit') return fail('audit: GET /audit shape', probs.join('; ') + ' ' + short(r.text));
    stream = r.body.stream;
    entries.push(...r.body.entries);
    if (r.body.entries.length < 1000) break;
    fromSeq = r.body.entries.at(-1).seq + 1;
  }
  pass('audit: GET /audit', `stream ${stream}, ${entries.length} entries`);
  check(/^[^/]+\/[^/]+$/.test(stream ?? ''), 'audit: default stream is {gatewayId}/{instanceId}', stream, `stream=${stream}`);
  const mismatches = [];
  let prev = Buffer.alloc(32);
  let expectSeq = 1;
  for (const e of entries) {
    const sp = shapeProblems(e, ['stream', 'seq', 'prevHash', 'hash', 'eventType', 'deviceId', 'gatewayId', 'timestamp', 'status', 'message']);
    if (sp.length) mismatches.push(`seq ${e.seq}: ${sp.join(', ')}`);
    if (e.stream !== stream) mismatches.push(`seq ${e.seq}: stream ${e.stream} != ${stream}`);
    if (e.seq !== expectSeq) mismatches.push(`seq ${e.seq}: expected seq ${expectSeq} (gap or disorder)`);
    expectSeq = e.seq + 1;
    if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(e.timestamp ?? '')) mismatches.push(`seq ${e.seq}: timestamp ${e.timestamp} not millisecond precision`);
    if (!['SUCCESS', 'REJECTED'].includes(e.status)) mismatches.push(`seq ${e.seq}: status ${e.status}`);
    if (!HEX32_RE.test(e.prevHash ?? '') || !HEX32_RE.test(e.hash ?? '')) { mismatches.push(`seq ${e.seq}: prevHash/hash not 0x+64 hex`); continue; }
    if (!fromHex0x(e.prevHash).equals(prev)) mismatches.push(`seq ${e.seq}: prevHash ${e.prevHash} != previous entry's hash ${hex0x(prev)}`);
    const h = sha256(concat(LP('iomt-pq/v1/audit'), LP(e.stream ?? ''), u64(e.seq), fromHex0x(e.prevHash), LP(e.eventType ?? ''),
      LP(e.deviceId ?? ''), LP(e.gatewayId ?? ''), LP(e.timestamp ?? ''), LP(e.status ?? ''), LP(e.message ?? '')));
    if (hex0x(h) !== e.hash) mismatches.push(`seq ${e.seq} (${e.eventType}): recomputed hash ${hex0x(h)} != entry hash ${e.hash}; entry ${short(e, 500)}`);
    prev = fromHex0x(e.hash);
  }
  check(!mismatches.length, 'audit: every entry hash recomputed per §10 and prevHash linkage', `${entries.length} entries verified`,
    `${mismatches.length} problem(s): ${mismatches.slice(0, 10).join(' | ')}`);
  // key material or vital values in messages
  const leaks = [];
  for (const d of devices) for (const k of [...d.retiredKeys, d.keys]) {
    const frag = b64(k.kemPk).slice(0, 24), frag2 = b64(k.sigPk).slice(0, 24);
    for (const e of entries) if ((e.message ?? '').includes(frag) || (e.message ?? '').includes(frag2)) leaks.push(`seq ${e.seq}`);
  }
  check(!leaks.length, 'audit: no device public key material in messages', '', leaks.join(', '));
  // expected event types for our devices
  for (const d of devices) {
    const mine = entries.filter((e) => e.deviceId === d.deviceId);
    const types = new Set(mine.map((e) => `${e.eventType}/${e.status}`));
    const want = ['DEVICE_ENROLLED/SUCCESS', 'AUTHENTICATED/SUCCESS', 'AUTH_FAILED/REJECTED', 'DECRYPT_FAILED/REJECTED', 'REPLAY_REJECTED/REJECTED', 'KEY_ROTATED/SUCCESS', 'KEY_REVOKED/SUCCESS'];
    const missing = want.filter((w) => !types.has(w));
    check(!missing.length, `audit: events of ${d.deviceId}`, [...types].join(', '), `missing ${missing.join(', ')}; have ${[...types].join(', ')}`);
  }
  note('§10: the JSON type of `seq` in audit entries and whether `message` may be null are not specified; this client hashes LP("") for a null deviceId (as §10 says) and for a null message');
}

// ------------------------------------------------------------------------------------------ main
async function main() {
  console.log(`IoMT-PQ v1 Node.js device client — HTTP ${OPT.http}, MQTT ${OPT.mqtt}, transport ${OPT.transport}`);
  let link = null;
  if (OPT.transport !== 'http') {
    link = new MqttLink(OPT.mqtt);
    try { await link.connect(); pass('MQTT connect', `MQTT ${OPT.mqttVersion === 5 ? '5' : '3.1.1'}`); }
    catch (e) { fail('MQTT connect', String(e?.message ?? e)); link = null; }
  }
  const gw = await fetchGateway(link);
  if (!gw) { fail('no usable gateway record; stopping'); return; }
  {
    const r = await http('GET', '/audit', undefined, 'not-a-token');
    check(r.status === 401 && r.body?.code === 'UNAUTHORIZED', 'operator API: unknown token → UNAUTHORIZED 401', '', `HTTP ${r.status} ${short(r.text)}`);
  }
  const devices = [];
  if (OPT.transport !== 'mqtt') { const d = await runTransport(makeHttpTransport(), gw); if (d) devices.push(d); }
  if (OPT.transport !== 'http' && link) { const d = await runTransport(makeMqttTransport(link), gw); if (d) devices.push(d); }
  await verifyAudit(devices);
  if (link) {
    for (const d of devices) {
      const left = link.drain(`iomt/v1/${d.deviceId}/down`);
      if (left.length) console.log(`INFO unmatched messages on iomt/v1/${d.deviceId}/down: ${left.map((x) => short(x.raw, 200)).join(' | ')}`);
    }
    await link.end();
  }
}

try { await main(); } catch (e) { fail('unexpected exception', e?.stack ?? String(e)); }
console.log(`==== ${passes} passed, ${failures} failed, ${notes.size} notes`);
process.exit(failures ? 1 : 0);
