import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTAINER_LABEL, DockerExecutor, DockerSandboxProvider, sweepOrphans } from '../src/index.js';
import { actkitContainers, containersGone, docker, dockerAvailable, noNodeImage, startHostProcess, testImage } from './docker-env.js';

const available = await dockerAvailable();

/** Runs a Node snippet inside the executor's container, as the runner's user — to check what the container allows if the vm layer were escaped. */
async function inContainer(executor: DockerExecutor, script: string): Promise<{ code: number; output: string }> {
  await executor.warmUp();
  const [info] = await actkitContainers({ 'dev.actkit.test': 'lockdown' });
  const exec = await docker.getContainer(info!.Id).exec({ Cmd: ['node', '-e', script], AttachStdout: true, AttachStderr: true, User: '65534:65534' });
  const stream = await exec.start({ hijack: true, stdin: false });
  let output = '';
  const sink = new PassThrough().on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  docker.modem.demuxStream(stream, sink, sink);
  await new Promise((resolve) => stream.on('end', resolve));
  const { ExitCode } = await exec.inspect();
  return { code: ExitCode ?? -1, output };
}

describe.skipIf(!available)('Docker lockdown', () => {
  let executor: DockerExecutor;
  beforeAll(async () => {
    executor = new DockerExecutor({ image: await testImage(), labels: { 'dev.actkit.test': 'lockdown' }, tmpfsMb: 8 });
  });
  afterAll(async () => {
    await executor?.close();
  });

  it('creates containers with no network, a read-only root, no capabilities, a non-root user and limits', async () => {
    await executor.warmUp();
    const [info] = await actkitContainers({ 'dev.actkit.test': 'lockdown' });
    const details = await docker.getContainer(info!.Id).inspect();
    expect(details.HostConfig).toMatchObject({
      NetworkMode: 'none',
      ReadonlyRootfs: true,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      PidsLimit: 64,
      Memory: 512 * 1024 * 1024,
      NanoCpus: 1e9,
      AutoRemove: true,
    });
    expect(details.Config.User).toBe('65534:65534');
    expect(details.Config.Labels[CONTAINER_LABEL]).toBe('docker');
  });

  it('gives the code no file system, process or network access', async () => {
    const r = await executor.execute('[typeof require, typeof process, typeof fetch, typeof WebSocket].join(" ")', { tools: [] });
    expect(r.value).toBe("'undefined undefined undefined undefined'");
  });

  it('holds even if the vm layer were escaped: no writes outside /tmp, a bounded /tmp, no network, no host files', async () => {
    const root = await inContainer(executor, "require('fs').writeFileSync('/escape.txt', 'x')");
    expect(root.code).not.toBe(0);
    expect(root.output).toMatch(/EROFS|EACCES/);
    const tmp = await inContainer(executor, "require('fs').writeFileSync('/tmp/ok.txt', 'x'); console.log('tmp ok')");
    expect(tmp.output).toContain('tmp ok');
    const fill = await inContainer(executor, "try { for (let i = 0; i < 64; i++) require('fs').writeFileSync('/tmp/f' + i, Buffer.alloc(1 << 20)); console.log('filled') } catch (e) { console.log(e.code) }");
    expect(fill.output).toContain('ENOSPC');
    const net = await inContainer(
      executor,
      "require('net').connect(80, '1.1.1.1').on('error', (e) => { console.log('net', e.code); process.exit(0) }).on('connect', () => console.log('CONNECTED'))",
    );
    expect(net.output).toMatch(/net (ENETUNREACH|EHOSTUNREACH|ECONNREFUSED)/);
    const hostFile = join(tmpdir(), `actkit-host-secret-${process.pid}`);
    writeFileSync(hostFile, 'secret');
    const read = await inContainer(executor, `try { console.log(require('fs').readFileSync(${JSON.stringify(hostFile)}, 'utf8')) } catch (e) { console.log(e.code) }`);
    expect(read.output).toContain('ENOENT');
    const fork = await inContainer(executor, "const cp = require('child_process'); let n = 0; try { for (; n < 200; n++) cp.spawn('node', ['-e', 'setTimeout(()=>{}, 5000)']).on('error', () => {}) } catch (e) {} ; setTimeout(() => { console.log('spawned', n); process.exit(0) }, 500)");
    expect(fork.code).toBe(0); // The pids limit bounds a fork bomb; the container survives.
  });
});

describe.skipIf(!available)('Docker cleanup', () => {
  it('removes the container on close', async () => {
    const executor = new DockerExecutor({ image: await testImage(), labels: { 'dev.actkit.test': 'close' } });
    await executor.execute('1', { tools: [] });
    expect(await actkitContainers({ 'dev.actkit.test': 'close' })).toHaveLength(1);
    await executor.close();
    expect(await containersGone({ 'dev.actkit.test': 'close' })).toBe(0);
  });

  for (const signal of ['SIGINT', 'SIGTERM', 'SIGKILL'] as const) {
    it(`leaves no container when the host process gets ${signal}`, async () => {
      const label = `signal-${signal}`;
      const host = await startHostProcess(label);
      expect(await actkitContainers({ 'dev.actkit.test': label })).toHaveLength(1);
      host.child.kill(signal);
      await host.exited;
      // The runner sees its stdin close, exits, and Docker removes the container.
      expect(await containersGone({ 'dev.actkit.test': label })).toBe(0);
    });
  }

  it('lets a host process that never closes its executor end, and leaves no container', async () => {
    const host = await startHostProcess('run-end', 'end');
    // An open executor does not keep the process alive (nor does a finished run).
    const code = await Promise.race([host.exited, new Promise((r) => setTimeout(() => r('still running'), 10_000))]);
    if (code === 'still running') host.child.kill('SIGKILL');
    expect(code).toBe(0);
    expect(await containersGone({ 'dev.actkit.test': 'run-end' })).toBe(0);
  });

  it('leaves no container when the host process crashes', async () => {
    const host = await startHostProcess('crash', 'crash');
    expect(await host.exited).not.toBe(0);
    expect(host.stderr()).toContain('the host crashed');
    expect(await containersGone({ 'dev.actkit.test': 'crash' })).toBe(0);
  });

  it('sweeps, at the next start, what a killed host left behind', async () => {
    // A host killed between creating a container and starting it leaves one that nothing will remove.
    const dead = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => dead.on('exit', r));
    const labels = { [CONTAINER_LABEL]: 'docker', 'dev.actkit.owner-pid': String(dead.pid), 'dev.actkit.owner-host': hostname(), 'dev.actkit.test': 'orphan' };
    const created = await docker.createContainer({ Image: await testImage(), Cmd: ['node', '-e', '0'], Labels: labels, HostConfig: { NetworkMode: 'none' } });
    // And one whose runner did not notice the host going (say, the daemon lost the connection).
    const running = await docker.createContainer({ Image: await testImage(), Cmd: ['node', '-e', 'setInterval(() => {}, 1000)'], Labels: labels, HostConfig: { NetworkMode: 'none' } });
    await running.start();
    // One that belongs to a live process stays.
    const alive = await docker.createContainer({ Image: await testImage(), Cmd: ['node', '-e', '0'], Labels: { ...labels, 'dev.actkit.owner-pid': String(process.pid), 'dev.actkit.test': 'owned' } });
    try {
      expect(await actkitContainers({ 'dev.actkit.test': 'orphan' })).toHaveLength(2);
      const host = await startHostProcess('sweeper');
      host.child.kill('SIGKILL');
      expect(await containersGone({ 'dev.actkit.test': 'orphan' })).toBe(0);
      expect(await actkitContainers({ 'dev.actkit.test': 'owned' })).toHaveLength(1);
      expect(await containersGone({ 'dev.actkit.test': 'sweeper' })).toBe(0);
    } finally {
      await Promise.all([created, running, alive].map((c) => c.remove({ force: true }).catch(() => {})));
    }
  });

  it('sweepOrphans() removes containers whose owner process is dead, and says which', async () => {
    const container = await docker.createContainer({
      Image: await testImage(),
      Cmd: ['node', '-e', 'setInterval(() => {}, 1000)'],
      Labels: { [CONTAINER_LABEL]: 'docker', 'dev.actkit.owner-pid': '999999', 'dev.actkit.owner-host': hostname(), 'dev.actkit.test': 'orphan-direct' },
      HostConfig: { NetworkMode: 'none' },
    });
    await container.start();
    const removed = await sweepOrphans(docker, true);
    expect(removed).toContain(container.id);
    expect(await containersGone({ 'dev.actkit.test': 'orphan-direct' })).toBe(0);
  });
});

describe.skipIf(!available)('Docker bad input', () => {
  it('reports a container that dies midway, and the next action runs in a new one', async () => {
    const executor = new DockerExecutor({ image: await testImage(), labels: { 'dev.actkit.test': 'dies' } });
    try {
      await executor.execute('const kept = 1', { tools: [] });
      const [info] = await actkitContainers({ 'dev.actkit.test': 'dies' });
      const running = executor.execute('await new Promise(() => {})', { tools: [], timeoutMs: 60_000 });
      await new Promise((r) => setTimeout(r, 300));
      await docker.getContainer(info!.Id).kill();
      const r = await running;
      expect(r.error).toMatchObject({ kind: 'crash' });
      expect(r.stateLost).toBe(true);
      const next = await executor.execute('typeof kept', { tools: [] });
      expect(next.value).toBe("'undefined'");
    } finally {
      await executor.close();
    }
  });

  it('tells the model when the container died between two actions', async () => {
    const executor = new DockerExecutor({ image: await testImage(), labels: { 'dev.actkit.test': 'dies-idle' } });
    try {
      await executor.execute('const kept = 1', { tools: [] });
      const [info] = await actkitContainers({ 'dev.actkit.test': 'dies-idle' });
      await docker.getContainer(info!.Id).kill();
      await containersGone({ 'dev.actkit.test': 'dies-idle' });
      const next = await executor.execute('typeof kept', { tools: [] });
      expect(next).toMatchObject({ value: "'undefined'", stateLost: true });
      expect((await executor.execute('1', { tools: [] })).stateLost).toBeUndefined();
    } finally {
      await executor.close();
    }
  });

  it('says clearly when the image has no node, when the command is missing, or when the image does not exist', async () => {
    const noNode = new DockerExecutor({ image: await noNodeImage(), labels: { 'dev.actkit.test': 'nonode' } });
    await expect(noNode.execute('1', { tools: [] })).rejects.toThrow(/image "actkit-no-node:test" has no `node` to run the actkit runner/);
    await noNode.close();
    const noCommand = new DockerExecutor({ image: await testImage(), nodeCommand: 'no-such-node', labels: { 'dev.actkit.test': 'nonode' } });
    await expect(noCommand.execute('1', { tools: [] })).rejects.toThrow(/has no `no-such-node`/);
    await noCommand.close();
    const missing = new DockerExecutor({ image: 'actkit-does-not-exist:1' });
    await expect(missing.execute('1', { tools: [] })).rejects.toThrow(/image "actkit-does-not-exist:1" not found/);
    await missing.close();
    expect(await containersGone({ 'dev.actkit.test': 'nonode' })).toBe(0);
  });

  // Node preloads this module (NODE_OPTIONS) before the runner: it writes to the protocol's stdout.
  const preloadWrite = (text: string, afterMs?: number) => {
    const write = `process.stdout.write(String.fromCharCode(${[...text].map((c) => c.charCodeAt(0)).join(',')}))`;
    return `--import=data:text/javascript,${afterMs === undefined ? write : `setTimeout(()=>${write},${afterMs})`}`;
  };

  it('fails fast and clearly when the container writes something that is not the protocol before it is ready', async () => {
    const executor = new DockerExecutor({ image: await testImage(), env: { NODE_OPTIONS: preloadWrite('Welcome to this image!\n') }, labels: { 'dev.actkit.test': 'garbage' } });
    const started = performance.now();
    await expect(executor.execute('1', { tools: [] })).rejects.toThrow(/failed before it was ready: protocol error: the runner sent a line that is not JSON: "Welcome to this image!"/);
    expect(performance.now() - started).toBeLessThan(10_000); // Not the 60 s start timeout.
    await executor.close();
    expect(await containersGone({ 'dev.actkit.test': 'garbage' })).toBe(0);
  });

  it('ends the action as a crash on a malformed line midway, and runs the next one in a new container', async () => {
    const executor = new DockerExecutor({ image: await testImage(), env: { NODE_OPTIONS: preloadWrite('{"type":"done","id":\n', 1500) }, labels: { 'dev.actkit.test': 'garbage-midway' } });
    try {
      await executor.warmUp();
      const [first] = await actkitContainers({ 'dev.actkit.test': 'garbage-midway' });
      const r = await executor.execute('await new Promise(() => {})', { tools: [], timeoutMs: 30_000 });
      expect(r.error).toMatchObject({ kind: 'crash', message: expect.stringMatching(/protocol error: the runner sent a line that is not JSON/) });
      expect(r.stateLost).toBe(true);
      expect((await executor.execute('6 * 7', { tools: [] })).value).toBe('42');
      const now = await actkitContainers({ 'dev.actkit.test': 'garbage-midway' });
      expect(now.map((c) => c.Id)).not.toContain(first!.Id);
    } finally {
      await executor.close();
    }
  });
});

describe.skipIf(!available)('Docker limits and transport', () => {
  it('stops a buffer bomb outside the heap as out of memory, without losing the container', async () => {
    const executor = new DockerExecutor({ image: await testImage(), containerMemoryMb: 256, memoryLimitMb: 64, labels: { 'dev.actkit.test': 'offheap' } });
    try {
      await executor.execute('const kept = 1', { tools: [] });
      const [before] = await actkitContainers({ 'dev.actkit.test': 'offheap' });
      const r = await executor.execute('const bufs = []; for (;;) bufs.push(new Uint8Array(16 * 1024 * 1024).fill(1))', { tools: [], timeoutMs: 20_000 });
      expect(r.error?.kind).toBe('memory');
      expect(r.stateLost).toBe(true);
      expect((await executor.execute('typeof kept', { tools: [] })).value).toBe("'undefined'");
      const [after] = await actkitContainers({ 'dev.actkit.test': 'offheap' });
      expect(after?.Id).toBe(before!.Id);
    } finally {
      await executor.close();
    }
  });

  it('keeps text intact when a multi-byte character straddles two chunks of the stream', async () => {
    const executor = new DockerExecutor({ image: await testImage(), labels: { 'dev.actkit.test': 'utf8' } });
    const seen: string[] = [];
    const echo = { name: 'echo', call: async (input: unknown) => (seen.push((input as { s: string }).s), input) };
    try {
      const r = await executor.execute('const s = "é€😀".repeat(50000);\nconsole.log(s);\necho({ s }).s === s', { tools: [echo], maxLogChars: 1_000_000 });
      expect(r.value).toBe('true');
      expect(r.logs).toBe(`${'é€😀'.repeat(50000)}\n`);
      expect(seen[0]).toBe('é€😀'.repeat(50000));
    } finally {
      await executor.close();
    }
  });

  it('serves several executors from one shared provider and its warm pool', async () => {
    const provider = new DockerSandboxProvider({ image: await testImage(), poolSize: 2, labels: { 'dev.actkit.test': 'shared' } });
    try {
      for (let i = 0; i < 50 && (await actkitContainers({ 'dev.actkit.test': 'shared' })).length < 2; i++) await new Promise((r) => setTimeout(r, 100));
      const a = new DockerExecutor({ provider });
      const b = new DockerExecutor({ provider });
      await a.execute('const who = "a"', { tools: [] });
      await b.execute('const who = "b"', { tools: [] });
      expect([(await a.execute('who', { tools: [] })).value, (await b.execute('who', { tools: [] })).value]).toEqual(["'a'", "'b'"]);
      await a.close();
      await b.close();
      // The executors' containers are gone, the pool is refilled, and the provider still works.
      const c = new DockerExecutor({ provider });
      expect((await c.execute('typeof who', { tools: [] })).value).toBe("'undefined'");
      await c.close();
    } finally {
      await provider.close();
    }
    expect(await containersGone({ 'dev.actkit.test': 'shared' })).toBe(0);
  });

  it('uses the endpoint DOCKER_HOST names, and says clearly when no engine answers there', async () => {
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = 'unix:///nonexistent/docker.sock';
    let executor: DockerExecutor;
    try {
      executor = new DockerExecutor({ image: await testImage() });
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
    }
    await expect(executor.execute('1', { tools: [] })).rejects.toThrow(/No Docker engine answers at \/nonexistent\/docker.sock/);
    await executor.close();
  });
});
