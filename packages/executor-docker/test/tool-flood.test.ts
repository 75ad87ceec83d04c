import type { SandboxTool } from '@actkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerExecutor } from '../src/index.js';
import { actkitContainers, dockerAvailable, testImage } from './docker-env.js';

const available = await dockerAvailable();
const LABEL = { 'dev.actkit.test': 'tool-flood' };

/**
 * One action that calls a host tool hundreds of thousands of times. Each call crosses the
 * container's attach stream twice; that way counts as the code's time on both sides (the
 * runner's limit and the host's fallback deadline), so the runner's own limit ends the flood —
 * and the container, which did nothing wrong, stays.
 */
describe.skipIf(!available)('a tool-call flood in one action', () => {
  let executor: DockerExecutor;
  /** The values the echo tool saw, in order: a lost, doubled or reordered message shows here. */
  let seen: number[] = [];
  const echo: SandboxTool = {
    name: 'echo',
    call: async (input) => {
      seen.push((input as { i: number }).i);
      return input;
    },
  };
  const containerIds = async () => (await actkitContainers(LABEL)).map((c) => c.Id);
  const inOrder = () => seen.every((value, index) => value === index);

  beforeAll(async () => {
    executor = new DockerExecutor({ image: await testImage(), timeoutMs: 3000, labels: LABEL });
    expect((await executor.execute('1 + 1', { tools: [] })).value).toBe('2');
  });
  afterAll(async () => {
    await executor?.close();
  });

  it('of 200 000 calls ends as a clean timeout in the same container, and the next action works', { timeout: 180_000 }, async () => {
    const before = await containerIds();
    expect(before).toHaveLength(1);
    seen = [];
    const flood = await executor.execute('let n = 0; for (let i = 0; i < 200000; i++) { echo({ i }); n++ } final_answer(n)', { tools: [echo] });
    expect(flood.error).toMatchObject({ kind: 'timeout', message: 'Timeout: the code ran longer than 3 s and was stopped.' });
    expect(flood.finalAnswer).toBeUndefined();
    expect(seen.length).toBeGreaterThan(0);
    expect(inOrder()).toBe(true);
    // The runner stopped its worker; the host did not give up on the runner and replace the container.
    expect(await containerIds()).toEqual(before);
    const next = await executor.execute('echo({ i: 7 }); final_answer(1 + 1)', { tools: [echo] });
    expect(next.error).toBeUndefined();
    expect(next.finalAnswer).toEqual({ value: 2 });
    expect(await containerIds()).toEqual(before);
  });

  it('of 20 000 calls with room to finish answers, every call made once and in order', { timeout: 300_000 }, async () => {
    seen = [];
    const r = await executor.execute('let n = 0; for (let i = 0; i < 20000; i++) { if (echo({ i }).i !== i) throw new Error("wrong echo " + i); n++ } final_answer(n)', {
      tools: [echo],
      timeoutMs: 240_000,
    });
    expect(r.error).toBeUndefined();
    expect(r.finalAnswer).toEqual({ value: 20000 });
    expect(seen).toHaveLength(20000);
    expect(inOrder()).toBe(true);
  });
});
