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
    else if (a === '--rpc') o.rpc = v();
    else if (a === '--registry') o.registry = v();
    else if (a === '--chain-id') o.chainId = Number(v());
    else if (a === '--chain-timeout-ms') o.chainTimeoutMs = Number(v());
    else if (a === '-h' || a === '--help') {
      console.log('usage: node client.mjs --http http://127.0.0.1:PORT/api/v1 --mqtt tcp://127.0.0.1:PORT --token OPERATOR_TOKEN\n' +
        '       [--transport http|mqtt|both] [--auditor-token T] [--mqtt-version 4|5] [--quiet-ms 1500] [--timeout-ms 10000]\n' +
        '       [--rpc URL --registry 0xADDRESS [--chain-id N] [--chain-timeout-ms 60000]]   (a gateway with a chain)');
      process.exit(0);
    } else { console.error(`unknown argument ${a}`); process.exit(2); }
  }
  if (!o.token) { console.error('--token (operator token) is required'); process.exit(2); }
  if (!['http', 'mqtt', 'both'].includes(o.transport)) { console.error('--transport must be http, mqtt or both'); process.exit(2); }
  // The chain is provisioned on the device, never learnt from the gateway (§3): --rpc and --registry go together.
  if (!!o.rpc !== !!o.registry) { console.error('--rpc and --registry go together'); process.exit(2); }
  if (o.registry && !/^0x[0-9a-fA-F]{40}$/.test(o.registry)) { console.error('--registry must be 0x + 40 hex digits'); process.exit(2); }
  if (o.registry) o.registry = o.registry.toLowerCase(); // §0: addresses travel as lowercase hex
  if (o.chainId !== undefined && !(Number.isSafeInteger(o.chainId) && o.chainId > 0)) { console.error('--chain-id must be a positive integer'); process.exit(2); }
  o.chainTimeoutMs ??= 60000;
  return o;
}
const OPT = parseArgs(process.argv);
/** With a provisioned chain the client checks the chain-mode reading of the protocol; without, registry.mode=none (§2). */
const CHAIN_MODE = !!OPT.rpc;

// ------------------------------------------------------------------------------------------ reporting
let failures = 0, passes = 0;
const notes = new Set();
function pass(name, detail = '') { passes++; console.log(`PASS ${name}${detail ? ' — ' + detail : ''}`); }
function fail(name, detail = '') { failures++; console.log(`FAIL ${name}${detail ? ' — ' + detail : ''}`); }
function check(cond, name, okDetail, badDetail) { cond ? pass(name, okDetail) : fail(name, badDetail ?? okDetail); return !!cond; }
function note(text) { if (!notes.has(text)) { notes.add(text); console.log(`NOTE ${text}`); } }
function info(text) { console.log(`INFO ${text}`); }
const LOUD = { pass, fail, check };
/** A reporter that prints nothing and keeps the failures, for checks whose outcome is judged afterwards. */
function collector() {
  const c = { failures: [], pass() {}, fail(name, detail = '') { c.failures.push(`${name}${detail ? ' — ' + detail : ''}`); },
    check(cond, name, okDetail, badDetail) { if (!cond) c.fail(name, badDetail ?? okDetail); return !!cond; } };
  return c;
}
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

// ------------------------------------------------------------------------------------------ chain (JSON-RPC, ABI by hand)
// Only views and transaction look-ups: the device never sends a transaction. The registry address and chain id come
// from the command line (the device's provisioning), never from the gateway (§3), so a gateway cannot vouch for itself.
let rpcSeq = 0;
async function rpc(method, params) {
  const res = await fetch(OPT.rpc, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: ++rpcSeq, method, params }) });
  const text = await res.text();
  let body;
  try { body = JSON.parse(text); } catch { throw new Error(`${method}: HTTP ${res.status}, not JSON: ${short(text, 200)}`); }
  if (body.error) throw new Error(`${method}: ${body.error.message ?? JSON.stringify(body.error)}`);
  return body.result;
}
const HEX_BYTES_RE = /^0x([0-9a-fA-F]{2})*$/;
const ADDRESS_RE = /^0x[0-9a-f]{40}$/;
/** A function selector: the first 4 bytes of keccak256 of the canonical signature (§9 names, types without spaces). */
const selectorOf = (signature) => hex0x(keccak_256(utf8(signature)).subarray(0, 4));
const EVENT_TOPICS = { KeyRegistered: keccakHex(utf8('KeyRegistered(bytes32,bytes32,address)')),
  KeyDeactivated: keccakHex(utf8('KeyDeactivated(bytes32,address)')) };
const REGISTER_FUNCTIONS = ['registerDeviceKey(bytes32,bytes32)', 'registerDeviceKeys(bytes32[],bytes32[])'];
const ROTATE_FUNCTIONS = ['rotateDeviceKey(bytes32,bytes32)'];
const DEACTIVATE_FUNCTIONS = ['deactivateKey(bytes32)'];
/** One static ABI argument (address, bytes32): its bytes left-padded to a 32-byte word. */
function abiWord(hex) {
  const b = fromHex0x(hex);
  if (b.length > 32) throw new Error(`ABI word longer than 32 bytes: ${hex}`);
  return concat(Buffer.alloc(32 - b.length), b);
}
/** eth_call of a registry view that returns (bytes32, bool), as gatewayKey and getDeviceKey do (§9). */
async function callBytes32AndBool(signature, ...args) {
  const data = hex0x(concat(fromHex0x(selectorOf(signature)), ...args.map(abiWord)));
  const result = await rpc('eth_call', [{ to: OPT.registry, data }, 'latest']);
  if (typeof result !== 'string' || !HEX_BYTES_RE.test(result)) throw new Error(`eth_call ${signature}: result ${short(result, 100)}`);
  const out = fromHex0x(result);
  if (out.length !== 64) throw new Error(`eth_call ${signature}: ${out.length} bytes returned, (bytes32, bool) takes 64 (no registry at ${OPT.registry}?)`);
  const flagWord = out.subarray(32);
  if (flagWord.subarray(0, 31).some((x) => x !== 0) || flagWord[31] > 1) throw new Error(`eth_call ${signature}: bool word ${hex0x(flagWord)} is neither 0 nor 1`);
  return { hash: hex0x(out.subarray(0, 32)), flag: flagWord[31] === 1 };
}
const gatewayKeyOnChain = (gatewayAddress) => callBytes32AndBool('gatewayKey(address)', gatewayAddress);
const deviceKeyOnChain = (deviceIdHash) => callBytes32AndBool('getDeviceKey(bytes32)', deviceIdHash);

/** Calls probe every 250 ms until it returns something other than null/undefined; null once timeoutMs has passed. */
async function pollValue(probe, timeoutMs = OPT.chainTimeoutMs) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== null && v !== undefined) return v;
    if (Date.now() > end) return null;
    await sleep(250);
  }
}

/**
 * Problems with a txHash the gateway named: it must be 0x + 64 lowercase hex and a transaction the node knows, sent to
 * the provisioned registry, calling one of `functions`. With `mined`, it must also have a successful receipt with the
 * registry's `event` log about this device (and, for KeyRegistered, this commitment).
 */
async function txProblems(txHash, { functions, mined = false, event, deviceIdHash, commitment } = {}) {
  if (typeof txHash !== 'string' || !HEX32_RE.test(txHash)) return [`txHash ${JSON.stringify(txHash)} is not 0x + 64 lowercase hex`];
  try {
    // The gateway may name a signed transaction a moment before the node has it: poll, bounded.
    const tx = await pollValue(() => rpc('eth_getTransactionByHash', [txHash]));
    if (!tx) return [`eth_getTransactionByHash(${txHash}) found nothing within ${OPT.chainTimeoutMs} ms`];
    const probs = [];
    if ((tx.to ?? '').toLowerCase() !== OPT.registry) probs.push(`transaction is to ${tx.to}, not the registry ${OPT.registry}`);
    const input = (tx.input ?? tx.data ?? '').toLowerCase();
    if (functions && !functions.some((f) => input.startsWith(selectorOf(f))))
      probs.push(`transaction calls selector ${input.slice(0, 10)}, not ${functions.join(' or ')}`);
    if (!mined) return probs;
    const receipt = await pollValue(() => rpc('eth_getTransactionReceipt', [txHash]));
    if (!receipt) return [...probs, `no receipt within ${OPT.chainTimeoutMs} ms (not mined)`];
    if (receipt.status !== '0x1') probs.push(`receipt status ${receipt.status} (reverted)`);
    if (event) {
      const logs = (receipt.logs ?? []).filter((l) => (l.address ?? '').toLowerCase() === OPT.registry
        && (l.topics?.[0] ?? '').toLowerCase() === EVENT_TOPICS[event] && (l.topics?.[1] ?? '').toLowerCase() === deviceIdHash);
      if (!logs.length) probs.push(`no ${event} log of the registry for deviceIdHash ${deviceIdHash} in the receipt`);
      else if (commitment && !logs.some((l) => (l.data ?? '').toLowerCase() === commitment))
        probs.push(`${event} carries ${logs.map((l) => l.data).join(', ')}, expected ${commitment}`);
    }
    return probs;
  } catch (e) {
    return [`JSON-RPC: ${e?.message ?? e}`];
  }
}
async function checkTx(name, txHash, expectations) {
  const probs = await txProblems(txHash, expectations);
  return check(!probs.length, name, txHash, probs.join('; '));
}
/** getDeviceKey(deviceIdHash) on the registry must be exactly (commitment, active). */
async function checkDeviceOnChain(name, dev, commitment, active) {
  try {
    const got = await deviceKeyOnChain(keccakHex(utf8(dev.deviceId)));
    return check(got.hash === commitment && got.flag === active, name, `(${got.hash}, ${got.flag})`,
      `registry says (${got.hash}, ${got.flag}), expected (${commitment}, ${active})`);
  } catch (e) { return fail(name, String(e?.message ?? e)); }
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
  // registry.mode=none: this check is all there is and the key is pinned; with a chain the registry must vouch for the hash
  if (!check(mine === g.kemKeyHash, `${P}: keccak256(kemPublicKey) == kemKeyHash (${CHAIN_MODE ? 'then checked on chain' : 'key pinned'})`, mine, `computed ${mine}, record says ${g.kemKeyHash}`)) return null;
  if (CHAIN_MODE) {
    // §5: a device MUST NOT handshake with a key its provisioned registry does not vouch for
    if (!(await verifyGatewayOnChain(g))) return null;
  } else {
    check(g.gatewayAddress === ZERO_ADDRESS, `${P}: gatewayAddress is the zero address (registry.mode=none)`, g.gatewayAddress,
      `got ${g.gatewayAddress} (§2: with registry.mode=none gatewayAddress is the zero address)`);
    if (r.headers.get('x-iomt-registry-mode') && r.headers.get('x-iomt-registry-mode') !== 'none')
      note(`gateway announces X-IoMT-Registry-Mode=${r.headers.get('x-iomt-registry-mode')}; this client pins the key and skips the on-chain gatewayKey() check, which is only valid with registry.mode=none`);
    note('registry mode none: the gateway key is pinned from the first GET /gateway (trust on first use); the §5 gatewayKey(gatewayAddress) on-chain check is skipped');
  }
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
/** §5 with a chain: the provisioned chain and registry, then gatewayKey(gatewayAddress) == (kemKeyHash, true). */
async function verifyGatewayOnChain(g) {
  const P = 'gateway record';
  if (!check(ADDRESS_RE.test(g.gatewayAddress ?? '') && g.gatewayAddress !== ZERO_ADDRESS,
    `${P}: gatewayAddress is a non-zero address, 0x + 40 lowercase hex (chain mode)`, g.gatewayAddress,
    `got ${JSON.stringify(g.gatewayAddress)} (§2: only registry.mode=none has the zero address; §0: lowercase hex)`)) return false;
  try {
    const chainId = Number(BigInt(await rpc('eth_chainId', [])));
    if (OPT.chainId === undefined) info(`chain: eth_chainId is ${chainId} (no --chain-id given, not checked)`);
    else if (!check(chainId === OPT.chainId, 'chain: eth_chainId == the provisioned --chain-id', String(chainId),
      `node says ${chainId}, provisioned ${OPT.chainId}: wrong chain, the registry there proves nothing`)) return false;
    const code = await rpc('eth_getCode', [OPT.registry, 'latest']);
    if (!check(typeof code === 'string' && code.length > 2, 'chain: contract code at the provisioned registry address', `${(String(code).length - 2) / 2} bytes`,
      `eth_getCode(${OPT.registry}) = ${short(code, 60)}`)) return false;
    const k = await gatewayKeyOnChain(g.gatewayAddress);
    return check(k.hash === g.kemKeyHash && k.flag === true, `${P}: registry gatewayKey(gatewayAddress) == (kemKeyHash, true) (§5)`,
      `(${k.hash}, ${k.flag})`, `registry says (${k.hash}, ${k.flag}) for ${g.gatewayAddress}, record says kemKeyHash ${g.kemKeyHash}`);
  } catch (e) {
    fail(`${P}: §5 on-chain gateway check`, String(e?.message ?? e));
    return false;
  }
}
function deepEqual(a, b) {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  const ka = Object.keys(a), kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
}

// ------------------------------------------------------------------------------------------ enrollment
const ENROLLED_FIELDS = ['type', 'v', 'deviceId', 'status', 'deviceIdHash', 'keyCommitment', 'txHash'];
const ROTATION_FIELDS = ['type', 'v', 'deviceId', 'status', 'keyCommitment', 'txHash'];
const REGISTRATION_FIELDS = ['type', 'v', 'deviceId', 'status', 'deviceIdHash', 'keyCommitment', 'pendingKeyCommitment', 'txHash', 'revocationTxHash'];
const registrationPath = (dev) => `/devices/${encodeURIComponent(dev.deviceId)}/registration`;
/** The check a gateway fails if it answers before it knows the transaction's hash (chain mode, §4 and §5a). */
const firstAnswerTxHashCheck = (T, step) => `${T} ${step}: first chain-mode answer carries a txHash`;

/**
 * `first`: the answer to a new enrollment (not a repeat). With a chain it says PENDING_CHAIN (§4: stored, submitted,
 * not yet mined) — or ACTIVE if the gateway waited for the mining, which its txHash must then prove.
 */
async function checkEnrolled(t, name, res, dev, okStatus, { first = false } = {}) {
  const b = res.body;
  if (!b || b.type !== 'enrolled') return fail(name, `expected enrolled, got ${t.name === 'HTTP' ? 'HTTP ' + res.status + ' ' : ''}${short(res.text) ?? 'nothing'}`), false;
  const probs = shapeProblems(b, ENROLLED_FIELDS);
  if (t.name === 'HTTP' && res.status !== okStatus) probs.push(`HTTP ${res.status} (expected ${okStatus})`);
  if (b.deviceId !== dev.deviceId) probs.push(`deviceId=${b.deviceId}`);
  if (!CHAIN_MODE) {
    if (b.status !== 'ACTIVE') probs.push(`status=${b.status} (registry.mode=none: first answer already ACTIVE, §2)`);
    if (b.txHash !== null) probs.push(`txHash=${JSON.stringify(b.txHash)} (registry.mode=none: null)`);
  } else if (!['PENDING_CHAIN', 'ACTIVE'].includes(b.status)) probs.push(`status=${b.status} (chain: PENDING_CHAIN until the registration is mined, then ACTIVE, §4)`);
  check(!probs.length, name, `status=${b.status}`, probs.join('; ') + ` — ${short(res.text)}`);
  const idh = keccakHex(utf8(dev.deviceId)), kc = hex0x(dev.keys.commitment);
  check(b.deviceIdHash === idh, `${t.name} enroll: deviceIdHash == keccak256(UTF8(deviceId))`, idh, `gateway ${b.deviceIdHash}, mine ${idh}`);
  check(b.keyCommitment === kc, `${t.name} enroll: keyCommitment == keccak256(kemPk || sigPk)`, kc, `gateway ${b.keyCommitment}, mine ${kc}`);
  if (CHAIN_MODE) await checkAnswerTxHash(t, 'enroll', b, dev, { first, functions: REGISTER_FUNCTIONS });
  return true;
}

/**
 * The txHash of an `enrolled`/`rotation` answer with a chain. A first answer must carry it (§4 "registration submitted",
 * §5a "rotateDeviceKey submitted"); a repeat may echo the original's null (§3). A non-null one must be a transaction to
 * the registry, and a mined, successful one when the answer says ACTIVE.
 */
async function checkAnswerTxHash(t, step, b, dev, { first, functions }) {
  const what = step === 'enroll' ? 'registration' : 'rotateDeviceKey';
  if (first) check(b.txHash !== null && b.txHash !== undefined, firstAnswerTxHashCheck(t.name, step), b.txHash,
    `txHash is null in a ${b.status} answer; §${step === 'enroll' ? '4' : '5a'}: the answer follows the submission of the ${what} and carries its txHash`);
  if (b.txHash === null || b.txHash === undefined) return;
  const active = b.status === 'ACTIVE';
  await checkTx(`${t.name} ${step}: ${b.status} answer's txHash is a ${active ? 'mined ' : ''}${what} transaction to the registry`, b.txHash,
    { functions, mined: active, event: active ? 'KeyRegistered' : undefined, deviceIdHash: keccakHex(utf8(dev.deviceId)), commitment: b.keyCommitment });
}

/** §3 answers a QoS 1 repeat "as the original was"; with a chain the status may have moved on since: said, not judged. */
function infoIfRepeatMovedOn(step, repeat, original) {
  if (repeat?.status && repeat.status !== original?.status)
    info(`MQTT ${step}: the repeat says ${repeat.status}, the original said ${original?.status} (§3 "answered as the original was"; the state moved on)`);
}

/** A fresh hello of `dev` to the gateway, for checks that only look at the gateway's refusal. */
function freshHello(dev, gw) {
  const { cipherText } = ml_kem768.encapsulate(gw.kemPk);
  return { type: 'hello', v: 1, deviceId: dev.deviceId, gatewayId: gw.gatewayId, suite: SUITE, nonce: b64(rnd(32)),
    ephemeralKemPublicKey: b64(ml_kem768.keygen().publicKey), gatewayCiphertext: b64(cipherText) };
}

/** Polls the registration until ready(body); `ok` false at the deadline or if the registration transaction reverted. */
async function awaitRegistration(dev, ready) {
  let last = null;
  const found = await pollValue(async () => {
    last = await http('GET', registrationPath(dev));
    if (last.status === 200 && last.body && ready(last.body)) return last;
    return last.body?.status === 'REGISTRATION_FAILED' ? false : null;
  });
  return { ok: !!found, r: last };
}

/**
 * §5 step 2 with a chain: right after a first answer that says PENDING_CHAIN, a hello must be refused. The mining may
 * already have happened (a dev chain mines at once): then nothing can be concluded and the client only says so.
 */
async function helloWhilePending(t, dev, gw) {
  const name = `${t.name} hello while the enrollment is PENDING_CHAIN → DEVICE_NOT_ACTIVE`;
  const res = await t.send('hello', dev.deviceId, freshHello(dev, gw));
  if (res.body?.type !== 'error' || res.body.code !== 'DEVICE_NOT_ACTIVE') {
    const reg = await http('GET', registrationPath(dev));
    if (reg.body?.status === 'ACTIVE') return info(`${name}: not checked — the registration was mined before the hello (answer: ${short(res.text, 160)})`);
  }
  expectError(t, name, 'hello', res, 'DEVICE_NOT_ACTIVE');
}

/** Chain mode, after an enrollment's first answer: the registration gets mined and the registry shows it (§4, §9). */
async function confirmEnrollmentOnChain(t, dev, label) {
  const kc = hex0x(dev.keys.commitment);
  const { ok, r } = await awaitRegistration(dev, (b) => b.status === 'ACTIVE' && b.keyCommitment === kc && HEX32_RE.test(b.txHash ?? ''));
  if (!check(ok, `${label}: registration becomes ACTIVE with its txHash once mined`, r.body?.txHash,
    `not within ${OPT.chainTimeoutMs} ms; last: HTTP ${r.status} ${short(r.text)}`)) return false;
  dev.registrationTxHash = r.body.txHash;
  await checkTx(`${label}: registration txHash is a mined registerDeviceKey(s) transaction of this keyCommitment`, r.body.txHash,
    { functions: REGISTER_FUNCTIONS, mined: true, event: 'KeyRegistered', deviceIdHash: keccakHex(utf8(dev.deviceId)), commitment: kc });
  await checkDeviceOnChain(`${label}: registry getDeviceKey(deviceIdHash) == (keyCommitment, true)`, dev, kc, true);
  return true;
}

/** MQTT with a chain: once mined, a second `enrolled` (§4) or `rotation` (§5a) message says ACTIVE. */
async function secondActiveAnswer(t, dev, step, commitment) {
  const type = ANSWER_OF[step], idh = keccakHex(utf8(dev.deviceId));
  const name = `MQTT ${step}: a second ${type} with status ACTIVE follows once mined (§${step === 'enroll' ? '4' : '5a'})`;
  const e = await t.link.waitFor((x) => x.topic === `iomt/v1/${dev.deviceId}/down` && x.msg?.type === type, OPT.chainTimeoutMs);
  if (!e) return fail(name, `nothing within ${OPT.chainTimeoutMs} ms`);
  const b = e.msg;
  const probs = shapeProblems(b, step === 'enroll' ? ENROLLED_FIELDS : ROTATION_FIELDS);
  if (b.status !== 'ACTIVE') probs.push(`status=${b.status}`);
  if (b.deviceId !== dev.deviceId) probs.push(`deviceId=${b.deviceId}`);
  if (step === 'enroll' && b.deviceIdHash !== idh) probs.push(`deviceIdHash=${b.deviceIdHash}`);
  if (b.keyCommitment !== commitment) probs.push(`keyCommitment=${b.keyCommitment}, expected ${commitment}`);
  if (!check(!probs.length, name, `txHash=${b.txHash}`, probs.join('; ') + ' — ' + short(e.raw))) return;
  await checkTx(`MQTT ${step}: the ACTIVE ${type} names the mined ${step === 'enroll' ? 'registration' : 'rotateDeviceKey'} transaction`, b.txHash,
    { functions: step === 'enroll' ? REGISTER_FUNCTIONS : ROTATE_FUNCTIONS, mined: true, event: 'KeyRegistered', deviceIdHash: idh, commitment });
}

async function enroll(t, dev, gw) {
  if (t.name === 'HTTP') {
    const msg = enrollMessage(dev);
    const res = await t.send('enroll', dev.deviceId, msg);
    const ok = await checkEnrolled(t, 'HTTP enroll: POST /devices → 201 enrolled', res, dev, 201, { first: true });
    if (CHAIN_MODE && res.body?.status === 'PENDING_CHAIN') await helloWhilePending(t, dev, gw);
    // identical re-enrollment: 200
    const again = await t.send('enroll', dev.deviceId, msg);
    await checkEnrolled(t, 'HTTP enroll: identical re-enrollment → 200 enrolled', again, dev, 200);
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
  const ok = await checkEnrolled(t, 'MQTT enroll: up/enroll → enrolled on down', res, dev, undefined, { first: true });
  if (CHAIN_MODE) {
    if (res.body?.status === 'PENDING_CHAIN') {
      await helloWhilePending(t, dev, gw);
      // before the repeat below: both answers are `enrolled`, and the repeat must not be mistaken for this one
      await secondActiveAnswer(t, dev, 'enroll', kc);
    }
  } else {
    // §4: "over MQTT the gateway then publishes a second enrolled message with status ACTIVE" when mined; with mode none there is no mining.
    const extra = await t.link.waitFor((e) => e.topic === `iomt/v1/${dev.deviceId}/down` && e.msg?.type === 'enrolled', OPT.quietMs);
    note('registry.mode=none over MQTT: §4 promises a second `enrolled` (ACTIVE) once the registration is mined; with no chain the first answer is already ACTIVE (§2), so this client expects no second message but does not fail on one');
    if (extra) info(`MQTT enroll: a second enrolled message arrived: ${short(extra.raw)}`);
  }
  // identical repeat (QoS 1 redelivery, approval already consumed): answered as the original
  const again = await t.send('enroll', dev.deviceId, msg);
  await checkEnrolled(t, 'MQTT enroll: byte-identical repeat (approval consumed) → enrolled again (§3 QoS 1)', again, dev);
  if (CHAIN_MODE) infoIfRepeatMovedOn('enroll', again.body, res.body);
  return ok;
}

// ------------------------------------------------------------------------------------------ handshake
/** `report`: where the checks go; a collector() for a probe whose failure may be explained by timing. */
async function handshake(t, dev, gw, label, { badMac = false, extraHelloField = false, report = LOUD } = {}) {
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
    report.fail(`${N}: hello → server-hello`, `got ${t.name === 'HTTP' ? 'HTTP ' + res.status + ' ' : ''}${short(res.text) ?? 'nothing'}`);
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
  if (probs.length) { report.fail(`${N}: server-hello shape`, probs.join('; ') + ' — ' + short(res.text)); return null; }
  report.pass(`${N}: hello → server-hello shape`, `sessionId=${sh.sessionId} expiresAt=${sh.expiresAt} maxMessages=${sh.maxMessages}`);
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
  if (!report.check(crypto.timingSafeEqual(expectMac, mac), `${N}: server-hello MAC == HMAC(fkG, TH) (gateway authenticated)`, '',
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
  if (!report.check(!eprobs.length, `${N}: finished → established`, `sessionId=${e?.sessionId}`, eprobs.join('; ') + ' — ' + short(fres.text))) return null;
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

// ------------------------------------------------------------------------------------------ rotation with a chain
/**
 * §5a with a chain, between the PENDING_CHAIN answer and the mining: the record keeps its current keys and gains
 * pendingKeyCommitment, and handshakes still use the current keys. A dev chain mines within a second, so either look
 * may come too late; the client then says so instead of judging. Returns the session made meanwhile, if any.
 */
async function whileRotationPending(t, dev, gw, newK) {
  const T = t.name, current = hex0x(dev.keys.commitment), next = hex0x(newK.commitment);
  const rotated = (b) => b?.keyCommitment === next && b?.pendingKeyCommitment === null;
  {
    const name = `${T} registration while the rotation is pending: current keyCommitment kept, pendingKeyCommitment = the new one, ACTIVE`;
    const r = await http('GET', registrationPath(dev));
    if (rotated(r.body)) info(`${name}: not checked — rotateDeviceKey was already mined`);
    else check(r.status === 200 && r.body?.keyCommitment === current && r.body?.pendingKeyCommitment === next && r.body?.status === 'ACTIVE',
      name, '', short(r.text));
  }
  const probe = collector();
  const s = await handshake(t, dev, gw, 'handshake while the rotation is pending (current keys)', { report: probe });
  const name = `${T} handshake with the current keys while the rotation is PENDING_CHAIN → established`;
  if (s) { pass(name, `sessionId=${s.sidB64}`); return s; }
  const r = await http('GET', registrationPath(dev));
  if (rotated(r.body)) info(`${name}: not checked — rotateDeviceKey was mined during the handshake (${probe.failures.join(' | ')})`);
  else fail(name, probe.failures.join(' | ') || 'no session');
  return null;
}

// ------------------------------------------------------------------------------------------ one transport
async function runTransport(t, gw) {
  const T = t.name;
  const dev = newDevice(`NODE_${T}`);
  const sent = [];
  t.sent = sent;
  console.log(`---- ${T}: device ${dev.deviceId}`);
  if (!(await enroll(t, dev, gw))) { fail(`${T}: enrollment failed, skipping the rest of this transport`); return; }
  if (CHAIN_MODE && !(await confirmEnrollmentOnChain(t, dev, `${T} enroll`))) { fail(`${T}: registration never mined, skipping the rest of this transport`); return; }

  // registration record (public)
  const reg = await http('GET', registrationPath(dev));
  {
    const b = reg.body;
    const probs = b ? shapeProblems(b, REGISTRATION_FIELDS) : ['no JSON'];
    if (reg.status !== 200) probs.push(`HTTP ${reg.status}`);
    // registry.mode=none: never a transaction (§2); with a chain: the mined registration's (§3)
    const txHashOk = (h) => (CHAIN_MODE ? HEX32_RE.test(h ?? '') : h === null);
    if (b && (b.status !== 'ACTIVE' || b.keyCommitment !== hex0x(dev.keys.commitment) || b.pendingKeyCommitment !== null || !txHashOk(b.txHash)))
      probs.push(`status=${b.status} keyCommitment=${b.keyCommitment} pending=${b.pendingKeyCommitment} txHash=${b.txHash}`);
    if (CHAIN_MODE && b && b.revocationTxHash !== null) probs.push(`revocationTxHash=${b.revocationTxHash} before any revocation`);
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
  // registry.mode=none: in force at once (§2); with a chain: pending until rotateDeviceKey is mined (§5a)
  const firstRotationStatus = CHAIN_MODE ? 'PENDING_CHAIN' : 'ACTIVE';
  {
    const b = rr.body;
    const probs = b ? shapeProblems(b, ROTATION_FIELDS) : ['no answer'];
    if (T === 'HTTP' && rr.status !== 200) probs.push(`HTTP ${rr.status}`);
    if (b && b.type !== 'rotation') probs.push(`type=${b.type}`);
    if (b && b.status !== firstRotationStatus) probs.push(`status=${b.status} (${CHAIN_MODE ? '§5a: PENDING_CHAIN until rotateDeviceKey is mined' : 'registry.mode=none: rotations take effect at once, first answer ACTIVE, §2'})`);
    if (b && b.keyCommitment !== hex0x(newK.commitment)) probs.push(`keyCommitment=${b.keyCommitment}, mine ${hex0x(newK.commitment)}`);
    if (!CHAIN_MODE && b && b.txHash !== null) probs.push(`txHash=${b.txHash}`);
    check(!probs.length, `${T} rotate → rotation status ${firstRotationStatus} with the new keyCommitment`, `keyCommitment=${b?.keyCommitment}`, probs.join('; ') + ' — ' + short(rr.text));
    if (!CHAIN_MODE) note('§5a shows the rotation answer with "status":"PENDING_CHAIN"; with registry.mode=none §2 says rotations take effect at once and the first answer already says ACTIVE — this client expects ACTIVE');
    else if (b?.type === 'rotation') await checkAnswerTxHash(t, 'rotate', b, dev, { first: true, functions: ROTATE_FUNCTIONS });
  }
  const pendingSession = CHAIN_MODE ? await whileRotationPending(t, dev, gw, newK) : null;
  if (T === 'MQTT') {
    // with a chain, first the second `rotation` (ACTIVE): the repeat's answer is a `rotation` too and must not be taken for it
    if (CHAIN_MODE) await secondActiveAnswer(t, dev, 'rotate', hex0x(newK.commitment));
    else {
      const extra = await t.link.waitFor((e) => e.topic === `iomt/v1/${dev.deviceId}/down` && e.msg?.type === 'rotation', OPT.quietMs);
      if (extra) info(`MQTT rotate: a second rotation message arrived: ${short(extra.raw)}`);
    }
    const again = await t.send('rotate', dev.deviceId, rot);
    // with a chain the repeat may come after the mining: the original's PENDING_CHAIN or the ACTIVE of now
    const statusOk = CHAIN_MODE ? ['PENDING_CHAIN', 'ACTIVE'].includes(again.body?.status) : again.body?.status === rr.body?.status;
    check(again.body?.type === 'rotation' && again.body?.keyCommitment === hex0x(newK.commitment) && statusOk,
      'MQTT byte-identical repeat of an accepted rotate → answered as the original (§3 QoS 1)', short(again.text, 160), short(again.text) ?? 'no answer');
    if (CHAIN_MODE && again.body?.type === 'rotation') {
      infoIfRepeatMovedOn('rotate', again.body, rr.body);
      await checkAnswerTxHash(t, 'rotate', again.body, dev, { first: false, functions: ROTATE_FUNCTIONS });
    }
  }
  const oldKeys = dev.keys;
  dev.retiredKeys.push(oldKeys);
  dev.keys = newK;
  {
    const rotated = (b) => b.keyCommitment === hex0x(newK.commitment) && b.pendingKeyCommitment === null && b.status === 'ACTIVE';
    const r = CHAIN_MODE ? (await awaitRegistration(dev, rotated)).r : await http('GET', registrationPath(dev));
    const b = r.body || {};
    check(r.status === 200 && rotated(b), `${T} registration after rotation: new keyCommitment, no pending rotation, ACTIVE`, '', short(r.text));
    if (CHAIN_MODE) {
      // §3: after a rotation, txHash is its rotateDeviceKey transaction (the selector check tells it from the registration)
      await checkTx(`${T} registration after rotation: txHash is a mined rotateDeviceKey transaction of the new keyCommitment`, b.txHash,
        { functions: ROTATE_FUNCTIONS, mined: true, event: 'KeyRegistered', deviceIdHash: keccakHex(utf8(dev.deviceId)), commitment: hex0x(newK.commitment) });
      await checkDeviceOnChain(`${T} registry getDeviceKey after rotation == (new keyCommitment, true)`, dev, hex0x(newK.commitment), true);
    }
  }
  // old session ended by the rotation
  {
    const m = telemetryMessage(dev, s1, 10, { observedAt: nowIso(), vitals: vitalsFor(10) });
    const r = await t.send('telemetry', dev.deviceId, m);
    expectError(t, `${T} telemetry on the pre-rotation session → SESSION_EXPIRED`, 'telemetry', r, 'SESSION_EXPIRED', { seq: 10 });
  }
  if (pendingSession) {
    // §5a: when the rotation is mined every session of the device ends, also one made on the current keys meanwhile
    const m = telemetryMessage(dev, pendingSession, 1, { observedAt: nowIso(), vitals: vitalsFor(1) });
    const r = await t.send('telemetry', dev.deviceId, m);
    expectError(t, `${T} telemetry on the session made while the rotation was pending → SESSION_EXPIRED`, 'telemetry', r, 'SESSION_EXPIRED', { seq: 1 });
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
  const baseHello = () => freshHello(dev, gw);
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
    await checkEnrolled(t, 'HTTP enroll with a 9-fractional-digit timestamp (signed as sent) → 201 enrolled', r, d, 201, { first: true });
    // the checks below speak of an ACTIVE device
    if (CHAIN_MODE) await confirmEnrollmentOnChain(t, d, 'HTTP edge device');
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
  expectError(t, `${T} hello after revocation → DEVICE_REVOKED`, 'hello', await t.send('hello', dev.deviceId, freshHello(dev, gw)), 'DEVICE_REVOKED');
  if (CHAIN_MODE) await confirmRevocationOnChain(t, dev, gw);
  if (T === 'HTTP') {
    expectError(t, 'HTTP re-enroll a REVOKED device with its burnt keys → INVALID_KEY', 'enroll', await t.send('enroll', dev.deviceId, enrollMessage(dev)), 'INVALID_KEY');
    const mk = newKeys();
    const mixed = { ...dev, keys: { ...mk, kemPk: dev.retiredKeys[0].kemPk, kemSk: dev.retiredKeys[0].kemSk } };
    mixed.keys.commitment = keccak_256(concat(mixed.keys.kemPk, mixed.keys.sigPk));
    expectError(t, 'HTTP re-enroll a REVOKED device reusing a pre-rotation KEM key → INVALID_KEY', 'enroll', await t.send('enroll', dev.deviceId, enrollMessage(mixed)), 'INVALID_KEY');
    const fresh = { ...dev, keys: newKeys() };
    await checkEnrolled(t, 'HTTP re-enroll a REVOKED device with new keys → 201 enrolled', await t.send('enroll', dev.deviceId, enrollMessage(fresh)), fresh, 201, { first: true });
    // §9: a deactivated id may be registered anew with a commitment it never had
    if (CHAIN_MODE) await confirmEnrollmentOnChain(t, fresh, 'HTTP re-enroll after revocation');
  }
}

/** §7 with a chain: deactivateKey is submitted and mined, the registry shows the key inactive, hellos stay refused. */
async function confirmRevocationOnChain(t, dev, gw) {
  const T = t.name, idh = keccakHex(utf8(dev.deviceId)), kc = hex0x(dev.keys.commitment);
  const { ok, r } = await awaitRegistration(dev, (b) => typeof b.revocationTxHash === 'string');
  const b = r.body ?? {};
  if (!check(ok && b.status === 'REVOKED', `${T} revocation: registration REVOKED with a revocationTxHash`, b.revocationTxHash,
    `not within ${OPT.chainTimeoutMs} ms; last: HTTP ${r.status} ${short(r.text)}`)) return;
  await checkTx(`${T} revocation: revocationTxHash is a mined deactivateKey transaction for this device`, b.revocationTxHash,
    { functions: DEACTIVATE_FUNCTIONS, mined: true, event: 'KeyDeactivated', deviceIdHash: idh });
  await checkDeviceOnChain(`${T} revocation: registry getDeviceKey == (keyCommitment, false)`, dev, kc, false);
  expectError(t, `${T} hello once the deactivation is mined → DEVICE_REVOKED`, 'hello', await t.send('hello', dev.deviceId, freshHello(dev, gw)), 'DEVICE_REVOKED');
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
async function readStream(stream) {
  const entries = [];
  let fromSeq = 1, name = stream;
  for (;;) {
    const q = name === null ? '' : `&stream=${encodeURIComponent(name)}`;
    const r = await http('GET', `/audit?fromSeq=${fromSeq}&limit=1000${q}`, undefined, OPT.token);
    if (r.status !== 200 || !r.body) { fail('audit: GET /audit', `HTTP ${r.status} ${short(r.text)}`); return null; }
    const probs = shapeProblems(r.body, ['type', 'v', 'stream', 'entries']);
    if (probs.length || r.body.type !== 'audit') { fail('audit: GET /audit shape', probs.join('; ') + ' ' + short(r.text)); return null; }
    name = r.body.stream;
    entries.push(...r.body.entries);
    if (r.body.entries.length < 1000) break;
    fromSeq = r.body.entries.at(-1).seq + 1;
  }
  pass('audit: GET /audit', `stream ${name}, ${entries.length} entries`);
  return { stream: name, entries };
}

function verifyStream(stream, entries, devices) {
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
  check(!mismatches.length, `audit: stream ${stream}: every entry hash recomputed per §10 and prevHash linkage`, `${entries.length} entries verified`,
    `${mismatches.length} problem(s): ${mismatches.slice(0, 10).join(' | ')}`);
  // key material or vital values in messages
  const leaks = [];
  for (const d of devices) for (const k of [...d.retiredKeys, d.keys]) {
    const frag = b64(k.kemPk).slice(0, 24), frag2 = b64(k.sigPk).slice(0, 24);
    for (const e of entries) if ((e.message ?? '').includes(frag) || (e.message ?? '').includes(frag2)) leaks.push(`seq ${e.seq}`);
  }
  check(!leaks.length, `audit: stream ${stream}: no device public key material in messages`, '', leaks.join(', '));
}

async function verifyAudit(devices) {
  // §86: GET /audit pages one stream (default: the answering instance's); GET /devices/{id}/audit has every stream's.
  // Behind a load balancer two pages may come from two instances, so every page after the first names its stream.
  const first = await readStream(null);
  if (!first) return;
  check(/^[^/]+\/[^/]+$/.test(first.stream ?? ''), 'audit: default stream is {gatewayId}/{instanceId}', first.stream, `stream=${first.stream}`);
  const byDevice = new Map();
  for (const d of devices) {
    const r = await http('GET', `/devices/${encodeURIComponent(d.deviceId)}/audit?limit=1000`, undefined, OPT.token);
    if (r.status !== 200 || !Array.isArray(r.body?.entries)) return fail(`audit: GET /devices/${d.deviceId}/audit`, `HTTP ${r.status} ${short(r.text)}`);
    byDevice.set(d.deviceId, r.body.entries);
  }
  const streams = new Map([[first.stream, first.entries]]);
  for (const entries of byDevice.values()) for (const e of entries) {
    if (typeof e.stream === 'string' && !streams.has(e.stream)) {
      const read = await readStream(e.stream);
      if (!read) return;
      streams.set(e.stream, read.entries);
    }
  }
  for (const [stream, entries] of streams) verifyStream(stream, entries, devices);
  // expected event types for our devices, whichever instance recorded them
  for (const d of devices) {
    const mine = byDevice.get(d.deviceId);
    const types = new Set(mine.map((e) => `${e.eventType}/${e.status}`));
    const want = ['DEVICE_ENROLLED/SUCCESS', 'AUTHENTICATED/SUCCESS', 'AUTH_FAILED/REJECTED', 'DECRYPT_FAILED/REJECTED', 'REPLAY_REJECTED/REJECTED', 'KEY_ROTATED/SUCCESS', 'KEY_REVOKED/SUCCESS'];
    if (CHAIN_MODE) want.push('KEY_REGISTERED_ON_CHAIN/SUCCESS'); // §10: the registration was mined
    const missing = want.filter((w) => !types.has(w));
    check(!missing.length, `audit: events of ${d.deviceId}`, [...types].join(', '), `missing ${missing.join(', ')}; have ${[...types].join(', ')}`);
  }
  note('§10: the JSON type of `seq` in audit entries and whether `message` may be null are not specified; this client hashes LP("") for a null deviceId (as §10 says) and for a null message');
}

// ------------------------------------------------------------------------------------------ main
async function main() {
  console.log(`IoMT-PQ v1 Node.js device client — HTTP ${OPT.http}, MQTT ${OPT.mqtt}, transport ${OPT.transport}, ` +
    (CHAIN_MODE ? `chain ${OPT.rpc} registry ${OPT.registry}${OPT.chainId !== undefined ? ' chain id ' + OPT.chainId : ''}` : 'no chain (registry.mode=none)'));
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
