#!/usr/bin/env node
// One entry point for a fresh machine that has only Node.js and npm:
//   node scripts/setup.mjs [pnpm args…]
// makes sure pnpm 10 is available, installs the workspace (building isolated-vm from source),
// builds every package, then — if arguments were given — runs `pnpm <args>`.
// It is idempotent and quick on a machine that is already set up.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const localPnpm = join(root, '.tools', 'node_modules', '.bin', 'pnpm');

function run(cmd, args, opts = {}) {
  const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' };
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, env, ...opts });
  if (r.error) return { ok: false, error: r.error };
  return { ok: r.status === 0, status: r.status };
}

function pnpmWorks(bin) {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  return r.status === 0 && /^10\./.test(r.stdout.trim());
}

function findPnpm() {
  if (pnpmWorks('pnpm')) return 'pnpm';
  if (existsSync(localPnpm) && pnpmWorks(localPnpm)) return localPnpm;
  console.log('[setup] pnpm 10 not found: installing it with npm');
  // A global install needs root (or a user-owned prefix); fall back to a project-local copy.
  if (run('npm', ['install', '-g', 'pnpm@10', '--no-audit', '--no-fund']).ok && pnpmWorks('pnpm')) return 'pnpm';
  if (run('npm', ['install', '--prefix', join(root, '.tools'), 'pnpm@10', '--no-audit', '--no-fund']).ok) return localPnpm;
  console.error('[setup] could not install pnpm 10 with npm; install it by hand: npm install -g pnpm@10');
  process.exit(1);
}

const pnpm = findPnpm();
const frozen = existsSync(join(root, 'pnpm-lock.yaml')) && process.env.ACTKIT_UNFROZEN !== '1';
const steps = [
  ['install', ...(frozen ? ['--frozen-lockfile'] : [])],
  ['run', 'build'],
];
for (const step of steps) {
  const r = run(pnpm, step);
  if (!r.ok) {
    console.error(`[setup] \`pnpm ${step.join(' ')}\` failed${r.error ? `: ${r.error.message}` : ''}`);
    process.exit(r.status ?? 1);
  }
}
const rest = process.argv.slice(2);
if (rest.length > 0) {
  const r = run(pnpm, rest);
  process.exit(r.ok ? 0 : (r.status ?? 1));
}
