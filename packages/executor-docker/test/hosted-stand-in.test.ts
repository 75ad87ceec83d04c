import { HostedSandboxProvider, RunnerExecutor } from '@actkit/code-actions';
import { describeExecutorContract } from '@actkit/code-actions/testing';
import { describe, expect, it } from 'vitest';
import { DockerStandInService } from '../src/index.js';
import { actkitContainers, containersGone, docker, dockerAvailable, testImage } from './docker-env.js';

// The code the E2B and Blaxel executors share (HostedSandboxProvider + RunnerExecutor), run
// against a stand-in of their narrow sandbox interface on the local Docker engine.
const available = await dockerAvailable();
const hosted = async (label: string, extra: { startDelayMs?: number } = {}) =>
  new RunnerExecutor(
    new HostedSandboxProvider(new DockerStandInService({ image: await testImage(), labels: { 'dev.actkit.test': label }, ...extra })),
    { memoryLimitMb: 64 },
  );

if (available) {
  describeExecutorContract('hosted sandbox (Docker stand-in for E2B/Blaxel)', { create: () => hosted('hosted-contract'), testTimeoutMs: 90_000 });
}

describe.skipIf(!available)('hosted sandbox faults', () => {
  it('recovers when the sandbox dies midway: the next action starts a new one', async () => {
    const executor = await hosted('hosted-dies');
    try {
      await executor.execute('const kept = 1', { tools: [] });
      const [info] = await actkitContainers({ 'dev.actkit.test': 'hosted-dies' });
      const running = executor.execute('await new Promise(() => {})', { tools: [], timeoutMs: 60_000 });
      await new Promise((r) => setTimeout(r, 300));
      await docker.getContainer(info!.Id).remove({ force: true });
      const r = await running;
      expect(r.error?.kind).toBe('crash');
      expect(r.stateLost).toBe(true);
      expect((await executor.execute('typeof kept', { tools: [] })).value).toBe("'undefined'");
    } finally {
      await executor.close();
    }
    expect(await containersGone({ 'dev.actkit.test': 'hosted-dies' })).toBe(0);
  });

  it('waits out a slow start, and kills the sandbox on close', async () => {
    const executor = await hosted('hosted-slow', { startDelayMs: 1500 });
    expect((await executor.execute('6 * 7', { tools: [] })).value).toBe('42');
    expect(await actkitContainers({ 'dev.actkit.test': 'hosted-slow' })).toHaveLength(1);
    await executor.close();
    expect(await containersGone({ 'dev.actkit.test': 'hosted-slow' })).toBe(0);
  });

  it('keeps tools on the host: the sandbox calls back for each one', async () => {
    const executor = await hosted('hosted-tools');
    const secret = 'sk-host-only';
    try {
      const lookup = { name: 'lookup', call: async () => `used ${secret.length} chars of a secret` };
      const r = await executor.execute('lookup({})', { tools: [lookup] });
      expect(r.value).toBe("'used 12 chars of a secret'");
    } finally {
      await executor.close();
    }
  });
});
