import type { SandboxTool } from '@actkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChildProcessSandboxProvider,
  LineSplitter,
  prepareAction,
  type RemoteSandbox,
  type RemoteSandboxProvider,
  RunnerConnection,
  RunnerExecutor,
} from '../src/index.js';

describe('LineSplitter', () => {
  it('joins a line sent in pieces, splits several lines in one chunk, and skips blank lines', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line));
    splitter.push('{"a":');
    splitter.push('1}\n\n{"b":2}\n{"c"');
    splitter.push(':3}\n');
    expect(lines).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
  });

  it('keeps a multi-byte character that straddles two chunks', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line));
    const bytes = Buffer.from('é€😀\n', 'utf8');
    for (let i = 0; i < bytes.length; i++) splitter.push(bytes.subarray(i, i + 1));
    expect(lines).toEqual(['é€😀']);
  });

  it('refuses a line that never ends instead of buffering it without bound', () => {
    const lines: string[] = [];
    let overflow = 0;
    const splitter = new LineSplitter((line) => lines.push(line), { maxLineChars: 10, onOverflow: (n) => (overflow = n) });
    splitter.push('ok\n0123456');
    splitter.push('789abc');
    splitter.push('\n{"later":1}\n');
    expect(lines).toEqual(['ok']);
    expect(overflow).toBe(13);
  });
});

describe('RunnerConnection', () => {
  function fake(options: { maxLineChars?: number } = {}) {
    let onData: (chunk: string) => void = () => {};
    const connection = new RunnerConnection(
      {
        write: () => {},
        onData: (listener) => {
          onData = listener;
        },
        onClose: () => {},
      },
      { readyTimeoutMs: 30_000, ...options },
    );
    return { connection, emit: (text: string) => onData(text) };
  }

  it('fails the start at once, saying why, when the runner writes something else than the protocol', async () => {
    const { connection, emit } = fake();
    emit('Welcome to this image!\n');
    await expect(connection.ready()).rejects.toThrow(/failed before it was ready: protocol error: the runner sent a line that is not JSON: "Welcome to this image!"/);
  });

  it('ends a run as a crash when the runner sends a line longer than the limit', async () => {
    const { connection, emit } = fake({ maxLineChars: 1000 });
    emit('{"type":"ready"}\n');
    await connection.ready();
    const run = connection.run('{}', { tools: [], timeoutMs: 5000, memoryLimitMb: 64 });
    emit(`{"type":"log","id":1,"text":"${'x'.repeat(2000)}`);
    expect(await run).toEqual({ type: 'crash', message: expect.stringMatching(/protocol error: the runner sent a line longer than 1000 characters/) });
  });

  it("goes on when the caller's log listener throws (called from the transport's data handler, it would end the process)", async () => {
    const { connection, emit } = fake();
    emit('{"type":"ready"}\n');
    await connection.ready();
    const heard: string[] = [];
    const onLog = (text: string) => {
      heard.push(text);
      throw new Error('a listener that fails');
    };
    const run = connection.run('{}', { tools: [], timeoutMs: 5000, memoryLimitMb: 64, onLog });
    expect(() => emit('{"type":"log","id":1,"text":"hello"}\n{"type":"log","id":1,"text":"again"}\n')).not.toThrow();
    emit('{"type":"done","id":1,"outcome":"{}"}\n');
    expect(await run).toEqual({ type: 'done', outcomeJson: '{}' });
    expect(heard).toEqual(['hello', 'again']);
  });
});

/** A child-process provider that keeps a handle on its sandboxes, to kill one between actions. */
class TrackedProvider implements RemoteSandboxProvider {
  readonly name = 'tracked';
  readonly started: RemoteSandbox[] = [];
  readonly #inner = new ChildProcessSandboxProvider();
  async start(): Promise<RemoteSandbox> {
    const sandbox = await this.#inner.start();
    this.started.push(sandbox);
    return sandbox;
  }
}

// Each test starts or talks to a runner process: on a loaded machine that takes seconds.
describe('the runner', { timeout: 60_000 }, () => {
  const tools: SandboxTool[] = [
    { name: 'echo', call: async (input) => input },
    { name: 'big', call: async (input) => 'x'.repeat((input as { n: number }).n) },
  ];
  let provider: TrackedProvider;
  let executor: RunnerExecutor;
  beforeAll(() => {
    provider = new TrackedProvider();
    // A time limit no test here reaches: a 20 MB tool result on a loaded machine takes seconds.
    // Memory for it: a result may be an eighth of it (32 MB).
    executor = new RunnerExecutor(provider, { memoryLimitMb: 256, timeoutMs: 120_000 });
  });
  afterAll(() => executor.close());
  const exec = (code: string) => executor.execute(code, { tools });

  it('ignores a malformed line from the host and goes on', async () => {
    const sandbox = await new ChildProcessSandboxProvider().start();
    try {
      const connection = new RunnerConnection(sandbox.transport);
      await connection.ready();
      sandbox.transport.write('this is not json\n{"type":"nonsense"}\n');
      const prepared = await prepareAction('40 + 2', { tools: [], maxLogChars: 1000, filename: 'a.js' });
      if (!prepared.ok) throw new Error('not prepared');
      const outcome = await connection.run(prepared.json, { tools: [], timeoutMs: 5000, memoryLimitMb: 64 });
      expect(outcome).toMatchObject({ type: 'done', outcomeJson: expect.stringContaining('"value":"42"') });
    } finally {
      await sandbox.kill();
    }
  });

  it("never hands the code a function of the worker's realm through a promise it replaced `then` on", async () => {
    await exec(
      'const originalThen = Promise.prototype.then;\nPromise.prototype.then = function (ok, fail) {\n  if (typeof ok === "function" && ok.constructor !== Function) globalThis.leaked = ok.constructor;\n  return originalThen.call(this, ok, fail);\n};',
    );
    const r = await exec('typeof leaked === "function" ? String(leaked("return typeof process")()) : "safe"');
    expect(r.value).toBe("'safe'");
  });

  it('runs the action again in a fresh worker when an earlier one made its global unusable, and says the state was lost', async () => {
    await exec('const kept = 1;\nObject.defineProperty(globalThis, "echo", { value: 1, writable: false, configurable: false });');
    const next = await exec('[typeof kept, echo({ a: 1 }).a]');
    expect(next).toMatchObject({ value: "[ 'undefined', 1 ]", stateLost: true });
    expect((await exec('1')).stateLost).toBeUndefined();
  });

  it('tells the model when the sandbox died between two actions', async () => {
    await exec('const kept = 1');
    await provider.started.at(-1)!.kill();
    expect(await exec('typeof kept')).toMatchObject({ value: "'undefined'", stateLost: true });
  });

  it('carries a large tool result in one line without slowing down', { timeout: 120_000 }, async () => {
    const started = performance.now();
    const r = await exec('big({ n: 20_000_000 }).length');
    expect(r.value).toBe('20000000');
    // Generous: a line joined piece by piece on every chunk (quadratic) takes minutes at this size;
    // a loaded machine takes seconds, which must not fail the test.
    expect(performance.now() - started).toBeLessThan(60_000);
  });
});
