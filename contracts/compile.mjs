// Compiles contracts/*.sol with the pinned solc-js (npm run compile-contracts) and writes one artifact per
// deployable contract to src/main/resources/contracts/<Name>.json: {abi, bytecode, compiler, contractName,
// deployedBytecode, sourceSha256}. The output is deterministic (sorted keys, no timestamps, no absolute paths),
// so a rebuild of unchanged sources leaves git clean, and ContractArtifactsTest can detect stale artifacts by
// comparing sourceSha256 with the .sol files.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const solc = require('solc');

const EXPECTED_SOLC = '0.8.28';
const ARTIFACTS = ['PostQuantumKeyRegistry', 'NaivePostQuantumKeyRegistry'];

// "paris" (no PUSH0) because Ganache 7.9 must run the same bytecode as Anvil; see the pinned settings below.
const SETTINGS = {
  evmVersion: 'paris',
  optimizer: { enabled: true, runs: 200 },
};

const contractsDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(contractsDir, '..');
const outDir = join(repoRoot, 'src', 'main', 'resources', 'contracts');

function fail(message) {
  console.error(`compile-contracts: ${message}`);
  process.exit(1);
}

const version = solc.version();
if (!version.startsWith(`${EXPECTED_SOLC}+`)) {
  fail(`solc ${EXPECTED_SOLC} expected, found ${version}: run npm ci`);
}

// Source unit names are repo-relative ("contracts/X.sol") so the metadata hash never depends on the checkout path.
const sourceFiles = readdirSync(contractsDir).filter((f) => f.endsWith('.sol')).sort();
const sources = {};
const sourceSha256 = {};
for (const file of sourceFiles) {
  const bytes = readFileSync(join(contractsDir, file));
  sources[`contracts/${file}`] = { content: bytes.toString('utf8') };
  sourceSha256[file] = createHash('sha256').update(bytes).digest('hex');
}

const input = {
  language: 'Solidity',
  sources,
  settings: {
    ...SETTINGS,
    outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
  },
};

// No import callback: every import must be one of the files above, so nothing outside contracts/ can sneak in.
const output = JSON.parse(solc.compile(JSON.stringify(input)));
const diagnostics = output.errors ?? [];
for (const d of diagnostics) console.error(d.formattedMessage ?? d.message);
if (diagnostics.some((d) => d.severity === 'error')) fail('compilation failed');
if (diagnostics.length > 0) fail('compiler warnings are treated as errors');

function findContract(name) {
  for (const [unit, contracts] of Object.entries(output.contracts ?? {})) {
    if (contracts[name] && unit === `contracts/${name}.sol`) return contracts[name];
  }
  return fail(`contract ${name} not found in contracts/${name}.sol`);
}

// Recursively sorted keys: stable output whatever order solc emits object members in. Array order is kept.
function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys(value[k])]));
  }
  return value;
}

mkdirSync(outDir, { recursive: true });
for (const name of ARTIFACTS) {
  const contract = findContract(name);
  const bytecode = contract.evm.bytecode.object;
  if (!bytecode) fail(`${name} has no bytecode (abstract?)`);
  const artifact = sortKeys({
    contractName: name,
    abi: contract.abi,
    bytecode: `0x${bytecode}`,
    deployedBytecode: `0x${contract.evm.deployedBytecode.object}`,
    compiler: { name: 'solc', version, settings: SETTINGS },
    sourceSha256,
  });
  const target = join(outDir, `${name}.json`);
  writeFileSync(target, `${JSON.stringify(artifact, null, 2)}\n`);
  console.log(`compile-contracts: wrote ${target.slice(repoRoot.length + 1)} (${(bytecode.length / 2) | 0} bytes of init code)`);
}
