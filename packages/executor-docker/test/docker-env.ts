import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { buildOfflineNodeImage } from '../src/index.js';

/**
 * Whether a Docker engine is reachable. Without one the Docker tests are skipped, loudly —
 * unless ACTKIT_REQUIRE_DOCKER=1 (as in CI), where a missing engine fails the suite.
 */
export const docker = new Docker();
export const TEST_IMAGE = 'actkit-node-offline:test';

export async function dockerAvailable(): Promise<boolean> {
  try {
    await docker.ping();
    return true;
  } catch (error) {
    const message = `Docker engine not reachable (${(error as Error).message}).`;
    if (process.env.ACTKIT_REQUIRE_DOCKER === '1') throw new Error(`${message} ACTKIT_REQUIRE_DOCKER=1: the Docker tests must run.`);
    console.warn(`\n!!! ${message} The Docker executor tests are SKIPPED. Start dockerd (see .ci/run) to run them.\n`);
    return false;
  }
}

let image: Promise<string> | undefined;
/** The offline test image (this machine's node in an otherwise empty filesystem), built once. */
export function testImage(): Promise<string> {
  image ??= (async () => {
    const found = await docker.listImages({ filters: { reference: [TEST_IMAGE] } });
    return found.length > 0 ? TEST_IMAGE : buildOfflineNodeImage(docker, { tag: TEST_IMAGE });
  })();
  return image;
}

export async function actkitContainers(filter: Record<string, string> = {}): Promise<Docker.ContainerInfo[]> {
  const labels = ['dev.actkit.executor', ...Object.entries(filter).map(([k, v]) => `${k}=${v}`)];
  return docker.listContainers({ all: true, filters: { label: labels } });
}

/** Waits (up to 10 s) until no actkit container with these labels is left: Docker removes them asynchronously. */
export async function containersGone(filter: Record<string, string>): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const left = await actkitContainers(filter);
    if (left.length === 0) return 0;
    await new Promise((r) => setTimeout(r, 200));
  }
  return (await actkitContainers(filter)).length;
}

const NO_NODE_IMAGE = 'actkit-no-node:test';
let noNode: Promise<string> | undefined;
/** An image with nothing in it but /tmp: no `node` to run the runner. */
export function noNodeImage(): Promise<string> {
  noNode ??= (async () => {
    if ((await docker.listImages({ filters: { reference: [NO_NODE_IMAGE] } })).length > 0) return NO_NODE_IMAGE;
    const root = mkdtempSync(join(tmpdir(), 'actkit-empty-'));
    mkdirSync(join(root, 'tmp'));
    try {
      const tar = spawn('tar', ['-C', root, '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
      const progress = await docker.importImage(tar.stdout as unknown as string, { repo: 'actkit-no-node', tag: 'test' });
      await new Promise<void>((resolve, reject) => docker.modem.followProgress(progress, (error: Error | null) => (error ? reject(error) : resolve())));
      return NO_NODE_IMAGE;
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  })();
  return noNode;
}

/** Starts test/fixtures/host-process.ts: a host process with one Docker executor, `READY` once it ran an action. */
export async function startHostProcess(label: string, mode: 'wait' | 'end' | 'crash' = 'wait') {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@actkit/source', 'test/fixtures/host-process.ts', label, await testImage(), mode], {
    cwd: process.cwd(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('READY') && resolve());
    void exited.then((code) => reject(new Error(`host exited early (${code}): ${stderr}`)));
  });
  return { child, exited, stderr: () => stderr };
}
