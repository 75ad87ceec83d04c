import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { LocalExecutor } from '../src/index.js';
import { canHostIsolates, NODE_MAJOR, tryLoadIsolatedVm } from '../src/isolated-vm.js';

it('loads the isolated-vm line that fits this Node version', () => {
  const expected = NODE_MAJOR >= 24 ? 'isolated-vm-7' : 'isolated-vm';
  expect(tryLoadIsolatedVm()).toMatchObject({ ok: true, packageName: expected });
});

it('picks in-process when this process has --no-node-snapshot', () => {
  expect(process.execArgv).toContain('--no-node-snapshot'); // vitest.config.ts passes it
  expect(canHostIsolates()).toBe(true);
  expect(new LocalExecutor().mode).toBe('in-process');
});

it('works in a process started without --no-node-snapshot, through a child process', { timeout: 30_000 }, () => {
  const script = `
    import { LocalExecutor } from ${JSON.stringify(fileURLToPath(new URL('../src/index.ts', import.meta.url)))};
    const executor = new LocalExecutor();
    const echo = { name: 'echo', call: async (input) => input };
    const r = await executor.execute('const pid = typeof process;\\necho({ n: 41 }).n + 1', { tools: [echo] });
    await executor.close();
    console.log(JSON.stringify({ mode: executor.mode, value: r.value, error: r.error }));
  `;
  // A plain Node, as a user would start it: no flag on the command line nor in NODE_OPTIONS.
  const env = { ...process.env, NODE_OPTIONS: '' };
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--conditions=@actkit/source', '--input-type=module', '-e', script], {
    env,
    encoding: 'utf8',
  });
  expect(JSON.parse(out.trim().split('\n').at(-1)!)).toEqual({ mode: 'child-process', value: '42' });
});
