import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerExecutor } from '../src/index.js';
import { actkitContainers, docker, dockerAvailable, testImage } from './docker-env.js';

const available = await dockerAvailable();

describe.skipIf(!available)('the runner in a container', () => {
  let executor: DockerExecutor;
  beforeAll(async () => {
    executor = new DockerExecutor({ image: await testImage(), labels: { 'dev.actkit.test': 'runner-signals' } });
  });
  afterAll(async () => {
    await executor?.close();
  });

  it('ends on SIGTERM, so `docker stop` does not wait out its grace period', { timeout: 120_000 }, async () => {
    expect((await executor.execute('1 + 1', { tools: [] })).value).toBe('2');
    const [info] = await actkitContainers({ 'dev.actkit.test': 'runner-signals' });
    const container = docker.getContainer(info!.Id);
    const started = performance.now();
    // A 60 s grace: the stop ends at once if the runner heeds SIGTERM, after 60 s (SIGKILL) if not.
    await container.stop({ t: 60 }).catch((error: { statusCode?: number }) => {
      if (error.statusCode !== 304 && error.statusCode !== 404) throw error;
    });
    expect(performance.now() - started).toBeLessThan(30_000);
    // The executor notices and goes on in a new container.
    const next = await executor.execute('2 + 2', { tools: [] });
    expect(next.value).toBe('4');
    expect(next.stateLost).toBe(true);
  });

  it("shows only the code's frames in a stack the code reads", async () => {
    const r = await executor.execute('function inner() { return new Error("here").stack }\ninner()', { tools: [], filename: 'step-1.js' });
    expect(r.value).toMatch(/^'Error: here\\n {4}at inner \(step-1\.js:1:\d+\)/);
    expect(r.value).not.toMatch(/node:|actkit-|worker eval/);
  });
});
