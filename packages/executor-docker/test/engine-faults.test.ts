import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CodeAgent, ExecutorError } from '@actkit/code-actions';
import { ScriptedModel } from '@actkit/testing';
import Docker from 'dockerode';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DockerExecutor, DockerSandboxProvider } from '../src/index.js';
import { actkitContainers, dockerAvailable, testImage } from './docker-env.js';

/** A "Docker engine" that accepts connections and never answers a byte: a wedged daemon. */
class WedgedEngine {
  readonly dir = mkdtempSync(join(tmpdir(), 'actkit-wedged-'));
  readonly socketPath = join(this.dir, 'docker.sock');
  readonly open = new Set<Socket>();
  #server: Server = createServer((socket) => {
    this.open.add(socket);
    socket.resume(); // Reads (and ignores) the request, so it sees the client hang up.
    socket.on('close', () => this.open.delete(socket));
    for (const waiter of this.#waiters.splice(0)) waiter();
  });
  #waiters: Array<() => void> = [];

  listen(): Promise<void> {
    return new Promise((resolve) => this.#server.listen(this.socketPath, resolve));
  }

  /** Resolves once a request is waiting on the engine. */
  connected(): Promise<void> {
    return this.open.size > 0 ? Promise.resolve() : new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Resolves once every connection the client opened is closed again (its request was given up). */
  async drained(): Promise<void> {
    while (this.open.size > 0) await new Promise((r) => setTimeout(r, 50));
  }

  async close(): Promise<void> {
    for (const socket of this.open) socket.destroy();
    await new Promise((resolve) => this.#server.close(resolve));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

describe('a wedged Docker engine', () => {
  let engine: WedgedEngine;
  beforeAll(async () => {
    engine = new WedgedEngine();
    await engine.listen();
  });
  afterAll(async () => {
    await engine.close();
  });

  it('fails the action with a clear error once the engine deadline passes, and frees the connection', async () => {
    const executor = new DockerExecutor({ docker: new Docker({ socketPath: engine.socketPath }), engineTimeoutMs: 1000 });
    try {
      const error = await executor.execute('1 + 1', { tools: [] }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ExecutorError);
      expect((error as Error).message).toMatch(new RegExp(`Docker engine at ${engine.socketPath} did not answer within 1 s \\(creating a container\\)`));
      await engine.drained(); // The request was aborted, not left hanging on the socket.
    } finally {
      await executor.close();
    }
  });

  it('lets close() settle while an action waits on the engine (deadline far away), and the action ends', async () => {
    const executor = new DockerExecutor({ docker: new Docker({ socketPath: engine.socketPath }), engineTimeoutMs: 10 * 60_000 });
    const action = executor.execute('1 + 1', { tools: [] }).then(
      () => 'resolved',
      (e: Error) => e.message,
    );
    await engine.connected();
    await executor.close();
    expect(await action).toMatch(/closed/);
    await engine.drained();
  });

  it('lets agent.close() settle during a run stuck on the engine; the run ends with an error', async () => {
    const agent = new CodeAgent({
      model: new ScriptedModel(['<code>\nfinal_answer(1)\n</code>']),
      tools: [],
      executor: new DockerExecutor({ docker: new Docker({ socketPath: engine.socketPath }), engineTimeoutMs: 10 * 60_000 }),
    });
    const run = agent.run('Answer 1.').then(
      () => 'finished',
      (e: Error) => `failed: ${e.message}`,
    );
    await engine.connected();
    await agent.close();
    expect(await run).toMatch(/closed/);
  });

  it('closes a provider whose warm pool waits on the engine', async () => {
    const provider = new DockerSandboxProvider({ docker: new Docker({ socketPath: engine.socketPath }), poolSize: 2, engineTimeoutMs: 10 * 60_000 });
    await engine.connected();
    await provider.close();
    await engine.drained();
  });
});

describe('a malformed DOCKER_HOST', () => {
  const saved = process.env.DOCKER_HOST;
  afterEach(() => {
    if (saved === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = saved;
  });

  it('is an ExecutorError naming the setting, from the constructor', () => {
    process.env.DOCKER_HOST = 'tcp://[not-a-host';
    let error: unknown;
    try {
      new DockerExecutor();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ExecutorError);
    expect((error as Error).message).toContain('DOCKER_HOST="tcp://[not-a-host"');
  });
});

describe.skipIf(!(await dockerAvailable()))('a container that dies while the host is busy', () => {
  it('runs the next action in a new container and says the state was lost, instead of reporting the old crash', async () => {
    const label = { 'dev.actkit.test': 'busy-host' };
    const executor = new DockerExecutor({ image: await testImage(), labels: label });
    try {
      expect((await executor.execute('globalThis.kept = 41; kept + 1', { tools: [] })).value).toBe('42');
      const [info] = await actkitContainers(label);
      // Everything below blocks this process's event loop: the container's death (and the engine
      // closing its stream) happen while the host cannot look.
      execFileSync('docker', ['kill', info!.Id], { stdio: 'ignore' });
      spawnSync('docker', ['wait', info!.Id], { stdio: 'ignore' }); // Fails once AutoRemove removed it: either way it is dead.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
      const result = await executor.execute('typeof kept', { tools: [] });
      expect(result.error).toBeUndefined();
      expect(result.value).toBe("'undefined'");
      expect(result.stateLost).toBe(true);
    } finally {
      await executor.close();
    }
  });
});
