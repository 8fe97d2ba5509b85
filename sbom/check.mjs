#!/usr/bin/env node
// The dependency check of `./iomt sbom` (README.md, "SBOM and dependency check"): reads CycloneDX JSON SBOMs and
// fails on a component that a reviewed deny list (sbom/known-critical.json) names as vulnerable or banned.
// Why a list and not a scanner: no vulnerability database can be had offline here (npm audit, NVD, OSV and the
// GitHub advisories all need their own servers), so the check knows exactly what the list says and no more.
//
//   node sbom/check.mjs [--list FILE] [--today YYYY-MM-DD] SBOM.json ...
//
// Exit 1, one "sbom check: FAIL ..." line per finding, when a component matches an advisory or a ban and is not
// accepted, when an acceptance has expired, when the list's review date is more than 180 days old (or in the
// future), or when an SBOM lists no component at all (a broken generator must not pass as a clean tree).
// Exit 2, one line, on a wrong argument or a file that is not a readable list or CycloneDX SBOM. Exit 0 otherwise.
// No dependencies: plain Node.js 20, so it runs before `npm ci` and on a machine that has only node.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

// The house rule: a list nobody has looked at for half a year is not evidence of anything.
const MAX_REVIEW_AGE_DAYS = 180;
const DAY_MS = 24 * 60 * 60 * 1000;
const ECOSYSTEMS = new Set(['maven', 'npm']);

class UsageError extends Error {}

// ------------------------------------------------------------------------------------------------- versions
// One comparison for Maven and npm versions, close enough to both for the ranges in the list: numeric parts
// compare as numbers; a pre-release qualifier (alpha, beta, milestone, rc, snapshot) sorts before the release;
// "final", "ga" and "release" are the release itself (4.1.44.Final == 4.1.44); a missing part counts as 0 against
// a number and as the release against a qualifier, so 2.0-beta9 < 2.0 < 2.0.1 and 1.2 == 1.2.0.
const QUALIFIER_RANK = { alpha: 1, a: 1, beta: 2, b: 2, milestone: 3, m: 3, rc: 4, cr: 4, snapshot: 5, '': 6, final: 6, ga: 6, release: 6, sp: 7 };
const RELEASE_RANK = 6;

function versionTokens(version) {
  const raw = [];
  for (const part of String(version).toLowerCase().split(/[.\-+_]/)) {
    for (const piece of part.match(/\d+|[a-z]+/g) ?? []) {
      raw.push(/^\d/.test(piece) ? Number(piece) : piece);
    }
  }
  // zeros before a qualifier and at the end say nothing, nor does a release word at the end:
  // 2.0-beta9 == 2-beta9, 1.0.0 == 1, 4.1.44.Final == 4.1.44
  const tokens = raw.filter((t, i) => !(t === 0 && typeof raw.slice(i).find((u) => u !== 0) === 'string'));
  while (tokens.length && (tokens.at(-1) === 0 || QUALIFIER_RANK[tokens.at(-1)] === RELEASE_RANK)) {
    tokens.pop();
  }
  return tokens;
}

function qualifierRank(token) {
  return QUALIFIER_RANK[token] ?? RELEASE_RANK + 2; // an unknown qualifier sorts after the release, as Maven does
}

function compareVersions(a, b) {
  const x = versionTokens(a), y = versionTokens(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const p = x[i], q = y[i];
    if (p === q) continue;
    if (p === undefined || q === undefined) {
      // the shorter one is the release at this point: 0 against a number, the release against a qualifier
      const other = p === undefined ? q : p, sign = p === undefined ? -1 : 1;
      if (other === 0) continue;
      if (typeof other === 'number') return sign;
      return qualifierRank(other) < RELEASE_RANK ? -sign : sign;
    }
    if (typeof p === 'number' && typeof q === 'number') return p < q ? -1 : 1;
    if (typeof p === 'number') return 1; // 1.0.1 > 1.0-beta
    if (typeof q === 'number') return -1;
    const r = qualifierRank(p) - qualifierRank(q);
    if (r !== 0) return r < 0 ? -1 : 1;
    return p < q ? -1 : 1;
  }
  return 0;
}

// affected = [{introduced?, fixed?, lastAffected?}, ...]; none given (a ban without ranges) = every version
function isAffected(version, affected) {
  if (!affected || affected.length === 0) return true;
  return affected.some((range) =>
    (range.introduced === undefined || compareVersions(version, range.introduced) >= 0)
    && (range.fixed === undefined || compareVersions(version, range.fixed) < 0)
    && (range.lastAffected === undefined || compareVersions(version, range.lastAffected) <= 0));
}

function fixedIn(affected, version) {
  const range = (affected ?? []).find((r) => isAffected(version, [r]));
  return range?.fixed ? `fixed in ${range.fixed}` : 'no fixed version';
}

// ------------------------------------------------------------------------------------------------- SBOMs
// A component's identity from its purl (pkg:maven/group/name@version, pkg:npm/%40scope/name@version), the one
// field both generators fill the same way; without a purl, group and name, matched in any ecosystem.
function identity(component) {
  const purl = /^pkg:([a-z0-9.+-]+)\/([^@?#]+)@([^?#]+)/i.exec(component.purl ?? '');
  if (purl) {
    const path = purl[2].split('/').map(decodeURIComponent);
    const name = path.pop();
    const namespace = path.join('/');
    const type = purl[1].toLowerCase();
    const pkg = type === 'maven' ? `${namespace}:${name}` : (namespace ? `${namespace}/${name}` : name);
    return { ecosystem: type, pkg, version: decodeURIComponent(purl[3]) };
  }
  const pkg = component.group ? `${component.group}:${component.name}` : component.name;
  return { ecosystem: null, pkg, version: component.version ?? '' };
}

function* allComponents(components) {
  for (const component of components ?? []) {
    yield component;
    yield* allComponents(component.components); // CycloneDX allows nesting (assemblies)
  }
}

function readJson(file, what) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${what} ${file}: ${e.code ?? e.message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${what} ${file} is not JSON: ${e.message}`);
  }
}

function readSbom(file) {
  const bom = readJson(file, 'SBOM');
  if (bom?.bomFormat !== 'CycloneDX') throw new UsageError(`${file} is not a CycloneDX SBOM (bomFormat is ${JSON.stringify(bom?.bomFormat)})`);
  return [...allComponents(bom.components)].filter((c) => c.name).map(identity);
}

// ------------------------------------------------------------------------------------------------- the list
function parseDate(value, where) {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new UsageError(`${where}: ${JSON.stringify(value)} is not a date YYYY-MM-DD`);
  }
  return Date.parse(`${value}T00:00:00Z`);
}

function globRegExp(pattern) {
  return new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

function readList(file) {
  const list = readJson(file, 'list');
  const where = (kind, i, entry) => `${file}: ${kind}[${i}]${entry?.id ? ` (${entry.id})` : ''}`;
  const reviewed = parseDate(list.reviewed, `${file}: reviewed`);
  const rules = [];
  for (const kind of ['advisories', 'banned']) {
    if (!Array.isArray(list[kind])) throw new UsageError(`${file}: "${kind}" must be a list`);
    list[kind].forEach((entry, i) => {
      for (const field of ['id', 'package', 'reason']) {
        if (typeof entry[field] !== 'string' || !entry[field]) throw new UsageError(`${where(kind, i, entry)}: "${field}" is missing`);
      }
      if (!ECOSYSTEMS.has(entry.ecosystem)) throw new UsageError(`${where(kind, i, entry)}: "ecosystem" must be maven or npm`);
      if (kind === 'advisories' && !(Array.isArray(entry.affected) && entry.affected.length)) {
        throw new UsageError(`${where(kind, i, entry)}: an advisory needs its "affected" version ranges`);
      }
      rules.push({ ...entry, kind, matches: globRegExp(entry.package) });
    });
  }
  const accepted = (list.accepted ?? []).map((entry, i) => {
    for (const field of ['id', 'package', 'version', 'reason']) {
      if (typeof entry[field] !== 'string' || !entry[field]) throw new UsageError(`${where('accepted', i, entry)}: "${field}" is missing`);
    }
    return { ...entry, expiresAt: parseDate(entry.expires, `${where('accepted', i, entry)}: expires`) };
  });
  return { reviewed: list.reviewed, reviewedAt: reviewed, rules, accepted };
}

// ------------------------------------------------------------------------------------------------- the check
/** Every finding (a line each) and note for these SBOMs against the list, as of `today` (ms since the epoch, UTC midnight). */
function check(list, sboms, today) {
  const findings = [];
  const notes = [];
  const ageDays = Math.floor((today - list.reviewedAt) / DAY_MS);
  if (ageDays > MAX_REVIEW_AGE_DAYS) {
    findings.push(`the list was reviewed on ${list.reviewed}, ${ageDays} days ago (at most ${MAX_REVIEW_AGE_DAYS}): review it against the advisories since, then move "reviewed"`);
  } else if (ageDays < 0) {
    findings.push(`the list's review date ${list.reviewed} is in the future`);
  }
  const usedAcceptances = new Set();
  for (const { file, components } of sboms) {
    const name = basename(file);
    if (components.length === 0) {
      findings.push(`${name}: no components at all (a broken SBOM proves nothing)`);
    }
    for (const c of components) {
      for (const rule of list.rules) {
        if ((c.ecosystem !== null && c.ecosystem !== rule.ecosystem) || !rule.matches.test(c.pkg)) {
          continue;
        }
        if (!c.version) { // a component the list names but whose version nobody knows cannot pass as unaffected
          findings.push(`${name}: ${c.pkg} has no version: cannot tell whether ${rule.id} applies`);
          continue;
        }
        if (!isAffected(c.version, rule.affected)) {
          continue;
        }
        const what = rule.kind === 'banned'
          ? `${name}: ${c.pkg}@${c.version} is banned (${rule.id}): ${rule.reason}`
          : `${name}: ${c.pkg}@${c.version} ${rule.id} (${rule.severity ?? 'severity not given'}, ${fixedIn(rule.affected, c.version)}): ${rule.reason}`;
        const acceptance = list.accepted.find((a) => a.id === rule.id && a.package === c.pkg && a.version === c.version);
        if (!acceptance) {
          findings.push(what);
        } else if (today > acceptance.expiresAt) {
          usedAcceptances.add(acceptance);
          findings.push(`${what} [its acceptance expired on ${acceptance.expires}: fix it or review the acceptance]`);
        } else {
          usedAcceptances.add(acceptance);
          notes.push(`accepted until ${acceptance.expires}: ${name}: ${c.pkg}@${c.version} ${rule.id}: ${acceptance.reason}`);
        }
      }
    }
  }
  for (const a of list.accepted) {
    if (!usedAcceptances.has(a)) {
      notes.push(`acceptance of ${a.id} for ${a.package}@${a.version} matches nothing any more: remove it from the list`);
    }
  }
  return { findings, notes, ageDays };
}

function parseArgs(argv) {
  const options = { list: fileURLToPath(new URL('./known-critical.json', import.meta.url)), today: null, sboms: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new UsageError(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === '--list') options.list = value();
    else if (arg === '--today') options.today = parseDate(value(), '--today');
    else if (arg === '-h' || arg === '--help') options.help = true;
    else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg} (expected --list FILE, --today YYYY-MM-DD, SBOM files)`);
    else options.sboms.push(arg);
  }
  if (!options.help && options.sboms.length === 0) throw new UsageError('no SBOM given (expected one or more CycloneDX JSON files)');
  return options;
}

const USAGE = `usage: node sbom/check.mjs [--list FILE] [--today YYYY-MM-DD] SBOM.json ...
checks CycloneDX JSON SBOMs against a reviewed deny list (default sbom/known-critical.json): exit 1 with one line per
finding (a denied or banned version, an expired acceptance, a list reviewed more than ${MAX_REVIEW_AGE_DAYS} days ago, an empty SBOM)
  --today DATE     the date to judge review age and expiry by (default: today, UTC)`;

function main() {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
    if (options.help) {
      console.log(USAGE);
      return 0;
    }
    const now = new Date();
    const today = options.today ?? Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    const list = readList(options.list);
    const sboms = options.sboms.map((file) => ({ file, components: readSbom(file) }));
    const { findings, notes, ageDays } = check(list, sboms, today);
    for (const { file, components } of sboms) {
      console.log(`sbom check: ${file}: ${components.length} components`);
    }
    for (const note of notes) console.log(`sbom check: NOTE ${note}`);
    for (const finding of findings) console.log(`sbom check: FAIL ${finding}`);
    const rules = list.rules.length;
    console.log(`sbom check: ${findings.length === 0 ? 'OK' : 'FAILED'}: ${findings.length} finding(s); ${rules} advisories and bans `
      + `from ${basename(options.list)}, reviewed ${list.reviewed} (${ageDays} days ago)`);
    return findings.length === 0 ? 0 : 1;
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`sbom check: ${e.message}`);
      return 2;
    }
    throw e;
  }
}

process.exitCode = main();
