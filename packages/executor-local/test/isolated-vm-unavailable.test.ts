import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FITTING_LINE } from '../src/isolated-vm.js';

/**
 * What a user gets when isolated-vm was installed but never built (npm 12 and pnpm 10 block its
 * install script unless the project allows it): a project whose node_modules hold this package
 * and an isolated-vm without its native binary — a real failure to load, not a mock. Both modes
 * must fail with IsolatedVmUnavailableError naming the commands that fix it.
 */
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);
let project: string;

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'actkit-unbuilt-ivm-'));
  const modules = join(project, 'node_modules');
  const ours = join(modules, '@actkit', 'executor-local');
  mkdirSync(ours, { recursive: true });
  cpSync(join(PACKAGE_DIR, 'package.json'), join(ours, 'package.json'));
  cpSync(join(PACKAGE_DIR, 'src'), join(ours, 'src'), { recursive: true });
  symlinkSync(dirname(createRequire(join(PACKAGE_DIR, 'package.json')).resolve('@actkit/code-actions/package.json')), join(modules, '@actkit', 'code-actions'));
  // isolated-vm as an install that skipped its build: its JavaScript, none of its binaries.
  const installed = dirname(createRequire(join(PACKAGE_DIR, 'package.json')).resolve(`${FITTING_LINE}/package.json`));
  const unbuilt = join(modules, FITTING_LINE);
  mkdirSync(unbuilt);
  for (const name of readdirSync(installed)) {
    if (statSync(join(installed, name)).isFile()) cpSync(join(installed, name), join(unbuilt, name));
  }
  writeFileSync(
    join(project, 'main.mjs'),
    `import { ExecutorError } from '@actkit/code-actions';
import { IsolatedVmUnavailableError, LocalExecutor } from '@actkit/executor-local';
try {
  const executor = new LocalExecutor();
  try {
    await executor.execute('1 + 1', { tools: [] });
    console.log(JSON.stringify({ mode: executor.mode, ran: true }));
  } finally {
    await executor.close();
  }
} catch (error) {
  console.log(JSON.stringify({
    typed: error instanceof IsolatedVmUnavailableError && error instanceof ExecutorError,
    name: error.name, code: error.code, message: error.message,
  }));
}
`,
  );
});

afterAll(() => rmSync(project, { recursive: true, force: true }));

describe('isolated-vm installed without its build', () => {
  const modes = [
    { mode: 'in-process', flags: ['--no-node-snapshot'] },
    { mode: 'child-process', flags: [] },
  ];
  for (const { mode, flags } of modes) {
    it(`fails in ${mode} mode with a typed error naming the commands that fix it`, { timeout: 60_000 }, async () => {
      const { stdout } = await run(process.execPath, [...flags, '--import', 'tsx', '--conditions=@actkit/source', join(project, 'main.mjs')], {
        // tsx resolves from here, for this process and for the child it starts.
        cwd: PACKAGE_DIR,
        // No NODE_PATH: pnpm's (set for scripts) reaches its store, where isolated-vm is built.
        env: { ...process.env, NODE_OPTIONS: '', NODE_PATH: '' },
      });
      const outcome = JSON.parse(stdout.trim().split('\n').at(-1)!);
      expect(outcome).toMatchObject({ typed: true, name: 'IsolatedVmUnavailableError', code: 'isolated_vm_unavailable' });
      expect(outcome.message).toContain(`isolated-vm is not built for this Node.js (${process.version}`);
      // What require said, from the process that tried (the child, in child-process mode).
      expect(outcome.message).toMatch(/Cannot find module/);
      expect(outcome.message).toContain(`npm approve-scripts ${FITTING_LINE} && npm rebuild ${FITTING_LINE}`);
      expect(outcome.message).toContain('pnpm approve-builds');
    });
  }
});
