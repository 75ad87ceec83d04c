import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { exitsWithin, isRunning } from './fixtures/processes.js';

/**
 * The child process of the default mode lives exactly as long as it should: a pending action
 * keeps the user's script alive, an idle executor does not, and the child never outlives its
 * parent, however the parent ends. Each case runs a real script in a plain `node` (no
 * --no-node-snapshot, so the executor picks the child-process mode), as a user would.
 */
const HOST = fileURLToPath(new URL('./fixtures/lifetime-host.ts', import.meta.url));
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

interface Host {
  process: ChildProcess;
  /** The JSON lines printed so far. */
  lines: Array<{ state?: string; children?: number[]; result?: unknown }>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  /** Resolves with the first line that names a state. */
  reached: Promise<{ state: string; children: number[] }>;
}

/** Hosts started by the current test: one a failed test leaves running is ended (and its child with it). */
const started: ChildProcess[] = [];
afterEach(() => {
  for (const host of started.splice(0)) if (host.exitCode === null && host.signalCode === null) host.kill('SIGKILL');
});

function startHost(scenario: string): Host {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@actkit/source', HOST, scenario], {
    cwd: PACKAGE_DIR,
    // A plain Node, as a user starts it: no flag on the command line nor in NODE_OPTIONS.
    env: { ...process.env, NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  const lines: Host['lines'] = [];
  let stderr = '';
  let onState: (value: { state: string; children: number[] }) => void;
  const reached = new Promise<{ state: string; children: number[] }>((resolve) => {
    onState = resolve;
  });
  let buffered = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    for (let newline = buffered.indexOf('\n'); newline >= 0; newline = buffered.indexOf('\n')) {
      const line = JSON.parse(buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
      lines.push(line);
      if (line.state) onState(line);
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, stderr })),
  );
  return { process: child, lines, exited, reached };
}

describe('a pending action keeps the script alive; an idle executor does not', () => {
  it('the issue’s reproduction, several times: tools called until the time limit, then the result and exit code 0', { timeout: 180_000 }, async () => {
    const runs = await Promise.all([0, 1, 2].map(() => startHost('tools-until-timeout')));
    for (const run of runs) {
      const { code, stderr } = await run.exited;
      expect(code, stderr).toBe(0);
      expect(run.lines.at(-1)).toEqual({ result: { mode: 'child-process', error: 'timeout' } });
    }
    const again = startHost('tools-until-timeout');
    expect((await again.exited).code).toBe(0);
    expect(again.lines.at(-1)).toEqual({ result: { mode: 'child-process', error: 'timeout' } });
  });

  it('waits for a tool whose answer nothing else waits for', { timeout: 120_000 }, async () => {
    const run = startHost('slow-tool');
    const { code, stderr } = await run.exited;
    expect(code, stderr).toBe(0);
    expect(run.lines.at(-1)).toEqual({ result: "'late'" });
  });

  it('waits for an approval that comes later', { timeout: 120_000 }, async () => {
    const run = startHost('late-approval');
    const { code, stderr } = await run.exited;
    expect(code, stderr).toBe(0);
    expect(run.lines.at(-1)).toEqual({ result: 'done' });
  });

  for (const scenario of ['idle-after-action', 'idle-unused']) {
    it(`lets the script end with an executor left open (${scenario}), and its child goes too`, { timeout: 120_000 }, async () => {
      const run = startHost(scenario);
      const { children } = await run.reached;
      expect(children).toHaveLength(1);
      const { code, stderr } = await run.exited;
      expect(code, stderr).toBe(0);
      expect(await exitsWithin(children[0]!, 20_000)).toBe(true);
    });
  }
});

describe('the child exits with its parent, however the parent ends, whatever the action is doing', () => {
  for (const state of ['looping', 'waiting-on-tool', 'waiting-for-approval']) {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGKILL'] as const) {
      it(`${state}, parent ended by ${signal}`, { timeout: 120_000 }, async () => {
        const run = startHost(state);
        const { children } = await run.reached;
        expect(children).toHaveLength(1);
        const child = children[0]!;
        expect(isRunning(child)).toBe(true);
        run.process.kill(signal);
        expect((await run.exited).signal).toBe(signal);
        // Generous: the machine may be busy; a child left behind stays for good.
        expect(await exitsWithin(child, 20_000)).toBe(true);
      });
    }
  }
});
