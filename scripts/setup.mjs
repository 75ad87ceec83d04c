#!/usr/bin/env node
// One entry point for a fresh machine that has only Node.js and npm:
//   node scripts/setup.mjs [pnpm args…]
// makes sure pnpm 10 is available, installs the workspace (building isolated-vm from source),
// builds every package, then — if arguments were given — runs `pnpm <args>`.
// It is idempotent and quick on a machine that is already set up, and quiet: one line per step
// while it works, the full log only when a step fails (ACTKIT_SETUP_VERBOSE=1 shows it always).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const localPnpm = join(root, '.tools', 'node_modules', '.bin', 'pnpm');
const verbose = process.env.ACTKIT_SETUP_VERBOSE === '1';
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' };
const status = process.stderr;

/** Runs a command with its output shown (the final command: the demo or the tests). */
function runShown(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, env });
  return r.error ? { ok: false, error: r.error } : { ok: r.status === 0, status: r.status };
}

/**
 * Runs a setup step with its output kept back: a one-line progress note on stderr, and the
 * step's whole log only if it fails. Resolves to whether it succeeded.
 */
function runStep(label, cmd, args) {
  if (verbose) return Promise.resolve(runShown(cmd, args));
  const started = Date.now();
  const tty = !!status.isTTY;
  status.write(`[setup] ${label}…${tty ? '' : '\n'}`);
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    const keep = (chunk) => {
      log = (log + chunk).slice(-200_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (error) => resolve({ ok: false, error }));
    child.on('close', (code) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      if (code === 0) {
        // A step that had nothing to do leaves no trace on a terminal.
        if (tty) status.write(Date.now() - started < 3000 ? '\r\x1b[K' : ` done (${seconds} s)\n`);
        resolve({ ok: true });
      } else {
        if (tty) status.write(' failed\n');
        status.write(log);
        resolve({ ok: false, status: code });
      }
    });
  });
}

function pnpmWorks(bin) {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  return r.status === 0 && /^10\./.test(r.stdout.trim());
}

async function findPnpm() {
  if (pnpmWorks('pnpm')) return 'pnpm';
  if (existsSync(localPnpm) && pnpmWorks(localPnpm)) return localPnpm;
  // A global install needs root (or a user-owned prefix); fall back to a project-local copy.
  if ((await runStep('installing pnpm 10 with npm', 'npm', ['install', '-g', 'pnpm@10', '--no-audit', '--no-fund'])).ok && pnpmWorks('pnpm')) return 'pnpm';
  if ((await runStep('installing pnpm 10 into .tools', 'npm', ['install', '--prefix', join(root, '.tools'), 'pnpm@10', '--no-audit', '--no-fund'])).ok) return localPnpm;
  console.error('[setup] could not install pnpm 10 with npm; install it by hand: npm install -g pnpm@10');
  process.exit(1);
}

const pnpm = await findPnpm();
const frozen = existsSync(join(root, 'pnpm-lock.yaml')) && process.env.ACTKIT_UNFROZEN !== '1';
const steps = [
  ['installing dependencies (the first time this builds isolated-vm: a few minutes)', ['install', ...(frozen ? ['--frozen-lockfile'] : [])]],
  ['building the packages', ['run', 'build']],
];
for (const [label, args] of steps) {
  const r = await runStep(label, pnpm, args);
  if (!r.ok) {
    console.error(`[setup] \`pnpm ${args.join(' ')}\` failed${r.error ? `: ${r.error.message}` : ''}`);
    process.exit(r.status ?? 1);
  }
}
const rest = process.argv.slice(2);
if (rest.length > 0) {
  const r = runShown(pnpm, ['--silent', ...rest]);
  process.exit(r.ok ? 0 : (r.status ?? 1));
}
