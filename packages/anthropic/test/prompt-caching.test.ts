import { CodeAgent } from '@actkit/code-actions';
import { actionSteps, type MultiStepAgent, type RunResult } from '@actkit/core';
import { LocalExecutor } from '@actkit/executor-local';
import { ToolCallingAgent } from '@actkit/json-actions';
import { type LongRunKind, longRunAnswer, longRunReplies, longRunTask, readPageTool, type ScriptedServer, startAnthropicServer } from '@actkit/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createAnthropic } from '../src/index.js';

const STEPS = 20;
const MODEL = 'claude-sonnet-5-5'; // list price known: $3 input, $0.30 cache read, $3.75 cache write per million
let server: ScriptedServer | undefined;
let executor: LocalExecutor | undefined;
afterEach(async () => {
  await server?.close();
  await executor?.close();
  server = executor = undefined;
});

/** A 20-step run on the local Anthropic server, checked to have done its work. */
async function longRun(kind: LongRunKind, options: { cacheConversation?: boolean; cachePrefix?: boolean } = {}): Promise<RunResult> {
  server = await startAnthropicServer(longRunReplies(kind, STEPS));
  const model = createAnthropic({ apiKey: 'test-key', baseURL: server.url, maxRetries: 0 })(MODEL, options);
  const { tool, counter } = readPageTool();
  const agent: MultiStepAgent =
    kind === 'tool-calling'
      ? new ToolCallingAgent({ model, tools: [tool], maxSteps: STEPS })
      : new CodeAgent({ model, tools: [tool], maxSteps: STEPS, executor: (executor = new LocalExecutor()) });
  const result = await agent.run(longRunTask(STEPS));
  expect(result.state).toBe('success');
  expect(Number(result.output)).toBe(longRunAnswer(STEPS));
  expect(actionSteps(result)).toHaveLength(STEPS);
  expect(counter.calls).toBe(STEPS - 1);
  expect(server.requests).toHaveLength(STEPS);
  return result;
}

/** Input cost at list price, as a share of what the same input would cost uncached. */
function inputCostShare(result: RunResult): number {
  const { fresh, cacheRead, cacheWrite, total } = result.bill.inputTokens;
  return (fresh * 3 + cacheRead * 0.3 + cacheWrite * 3.75) / (total * 3);
}

describe.each<LongRunKind>(['tool-calling', 'code'])('a 20-step %s run on Anthropic', (kind) => {
  it('reads the conversation from the cache: input bills at most 35% of its uncached cost', async () => {
    const cached = await longRun(kind);
    for (const request of server!.requests) {
      const marks = JSON.stringify(request.body).match(/"cache_control"/g) ?? [];
      expect(marks.length).toBeLessThanOrEqual(4); // the API's limit
    }
    // The newest message carries a breakpoint, at every step.
    for (const request of server!.requests) expect(JSON.stringify(request.body.messages.at(-1).content.at(-1))).toContain('cache_control');
    const { bill } = cached;
    expect(bill.inputTokens.cacheRead).toBeGreaterThan(bill.inputTokens.total / 2);
    expect(inputCostShare(cached)).toBeLessThanOrEqual(0.35);
    expect(bill.cost).toBeLessThan(bill.costWithoutCache!);
    // The run's usage is the sum of what the server billed at each step.
    expect(cached.usage.inputTokens.cacheRead).toBe(bill.inputTokens.cacheRead);

    const uncached = await longRun(kind, { cacheConversation: false });
    // The same prompts, billed differently: only the system prompt and tools are read from the cache.
    expect(uncached.bill.inputTokens.total).toBe(cached.bill.inputTokens.total);
    expect(uncached.bill.inputTokens.cacheRead).toBeLessThan(cached.bill.inputTokens.cacheRead / 5);
    expect(inputCostShare(uncached)).toBeGreaterThan(0.8);
    expect(uncached.bill.cost).toBeGreaterThan(cached.bill.cost! * 2);

    const off = await longRun(kind, { cachePrefix: false });
    expect(JSON.stringify(server!.requests.map((r) => r.body))).not.toContain('cache_control');
    expect(off.bill.inputTokens).toMatchObject({ cacheRead: 0, cacheWrite: 0, total: cached.bill.inputTokens.total });
  }, 120_000);
});
