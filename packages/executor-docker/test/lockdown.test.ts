import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTAINER_LABEL, DockerExecutor, sweepOrphans } from '../src/index.js';
import { actkitContainers, containersGone, docker, dockerAvailable, testImage } from './docker-env.js';

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
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', '--conditions=@actkit/source', 'test/fixtures/host-process.ts', label, await testImage()],
        { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] },
      );
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => d.toString().includes('READY') && resolve());
        child.on('exit', (code) => reject(new Error(`host exited early (${code})`)));
      });
      expect(await actkitContainers({ 'dev.actkit.test': label })).toHaveLength(1);
      child.kill(signal);
      await new Promise((resolve) => child.on('exit', resolve));
      // The runner sees its stdin close, exits, and Docker removes the container.
      expect(await containersGone({ 'dev.actkit.test': label })).toBe(0);
    });
  }

  it('sweeps containers whose owner process is dead', async () => {
    const container = await docker.createContainer({
      Image: await testImage(),
      Cmd: ['node', '-e', 'setInterval(() => {}, 1000)'],
      Labels: { [CONTAINER_LABEL]: 'docker', 'dev.actkit.owner-pid': '999999', 'dev.actkit.owner-host': (await import('node:os')).hostname(), 'dev.actkit.test': 'orphan' },
      HostConfig: { NetworkMode: 'none' },
    });
    await container.start();
    const removed = await sweepOrphans(docker, true);
    expect(removed).toContain(container.id);
    expect(await containersGone({ 'dev.actkit.test': 'orphan' })).toBe(0);
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

  it('says clearly when the image has no node, or does not exist', async () => {
    const noNode = new DockerExecutor({ image: await testImage(), nodeCommand: 'no-such-node', labels: { 'dev.actkit.test': 'nonode' } });
    await expect(noNode.execute('1', { tools: [] })).rejects.toThrow(/has no `no-such-node`/);
    await noNode.close();
    const missing = new DockerExecutor({ image: 'actkit-does-not-exist:1' });
    await expect(missing.execute('1', { tools: [] })).rejects.toThrow(/image "actkit-does-not-exist:1" not found/);
    await missing.close();
  });

  it('keeps a warm pool so a new run does not wait for a container start', async () => {
    const executor = new DockerExecutor({ image: await testImage(), poolSize: 2, labels: { 'dev.actkit.test': 'pool' } });
    try {
      for (let i = 0; i < 30 && (await actkitContainers({ 'dev.actkit.test': 'pool' })).length < 2; i++) await new Promise((r) => setTimeout(r, 200));
      expect((await actkitContainers({ 'dev.actkit.test': 'pool' })).length).toBe(2);
      expect((await executor.execute('40 + 2', { tools: [] })).value).toBe('42');
    } finally {
      await executor.close();
    }
    expect(await containersGone({ 'dev.actkit.test': 'pool' })).toBe(0);
  });
});
