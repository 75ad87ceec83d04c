import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ChildProcessSandboxProvider, RunnerConnection, RunnerExecutor } from '../src/index.js';
import { describeExecutorContract } from '../src/testing/index.js';

// The runner protocol end to end, in a child Node process: the same contract as every executor.
describeExecutorContract('runner in a child process', {
  create: () => new RunnerExecutor(new ChildProcessSandboxProvider(), { memoryLimitMb: 64 }),
});

describe('runner protocol faults', () => {
  function fakeRunner() {
    const toRunner = new PassThrough();
    const fromRunner = new PassThrough();
    let onClose: (reason: string) => void = () => {};
    const connection = new RunnerConnection(
      {
        write: (line) => toRunner.write(line),
        onData: (listener) => fromRunner.on('data', listener),
        onClose: (listener) => {
          onClose = listener;
        },
      },
      { readyTimeoutMs: 300 },
    );
    return { connection, fromRunner, toRunner, close: (reason: string) => onClose(reason) };
  }

  it('fails a run cleanly on a malformed line', async () => {
    const { connection, fromRunner } = fakeRunner();
    fromRunner.write('{"type":"ready"}\n');
    await connection.ready();
    const run = connection.run('{}', { tools: [], timeoutMs: 1000, memoryLimitMb: 64 });
    fromRunner.write('this is not json\n');
    expect(await run).toEqual({ type: 'crash', message: expect.stringMatching(/protocol error: the runner sent a line that is not JSON/) });
    expect(connection.closed).toBe(true);
  });

  it('fails a run when the runner goes away midway, and a start when it never gets ready', async () => {
    const { connection, fromRunner, close } = fakeRunner();
    fromRunner.write('{"type":"ready"}\n');
    await connection.ready();
    const run = connection.run('{}', { tools: [], timeoutMs: 1000, memoryLimitMb: 64 });
    close('the container was killed');
    expect(await run).toEqual({ type: 'crash', message: 'the container was killed' });
    await expect(fakeRunner().connection.ready()).rejects.toThrow(/did not start within 300 ms/);
  });

  it('gives up on a runner that stops answering', async () => {
    const { connection, fromRunner } = fakeRunner();
    fromRunner.write('{"type":"ready"}\n');
    await connection.ready();
    expect(await connection.run('{}', { tools: [], timeoutMs: 100, memoryLimitMb: 64, graceMs: 100 })).toEqual({
      type: 'crash',
      message: 'the runner did not end the action within its time limit and 100 ms more: it said nothing after the action was sent',
    });
    expect(connection.closed).toBe(true);
    // One that goes silent after a tool's answer says so: a hang is told from slow code.
    const second = fakeRunner();
    second.fromRunner.write('{"type":"ready"}\n');
    await second.connection.ready();
    const echo = { name: 'echo', call: (input: unknown) => input };
    const run = second.connection.run('{}', { tools: [echo], timeoutMs: 100, memoryLimitMb: 64, graceMs: 100 });
    second.fromRunner.write('{"type":"tool_call","id":1,"callId":1,"name":"echo","input":"{}"}\n');
    expect(await run).toEqual({
      type: 'crash',
      message: 'the runner did not end the action within its time limit and 100 ms more: the last it did was call echo, which was answered',
    });
  });

  it('does not blame a runner whose answer waited behind its deadline while this process was busy', async () => {
    // A real pipe: the runner's `done` waits in the poll queue, and Node runs the due timer first.
    const marker = join(mkdtempSync(join(tmpdir(), 'actkit-busy-')), 'answered');
    const runner = spawn(process.execPath, [
      '-e',
      `process.stdout.write('{"type":"ready"}\\n');
       process.stdin.on('data', () => {
         process.stdout.write('{"type":"done","id":1,"outcome":"{}"}\\n', () => require('node:fs').writeFileSync(${JSON.stringify(marker)}, ''));
       });`,
    ]);
    const connection = new RunnerConnection({
      write: (line) => runner.stdin.write(line),
      onData: (listener) => runner.stdout.on('data', listener),
      onClose: (listener) => runner.once('exit', () => listener('exited')),
    });
    try {
      await connection.ready();
      const run = connection.run('{}', { tools: [], timeoutMs: 100, memoryLimitMb: 64, graceMs: 100 });
      // Busy until the runner has answered and the deadline (200 ms) has passed.
      const start = performance.now();
      while (!existsSync(marker) || performance.now() - start < 300) {
        if (performance.now() - start > 60_000) throw new Error('the runner never answered');
      }
      expect(await run).toEqual({ type: 'done', outcomeJson: '{}' });
    } finally {
      runner.kill();
    }
  });
});
