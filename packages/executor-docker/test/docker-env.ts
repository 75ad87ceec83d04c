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
