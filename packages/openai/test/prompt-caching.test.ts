import { CodeAgent } from '@actkit/code-actions';
import { actionSteps, type MultiStepAgent, type RunResult } from '@actkit/core';
import { LocalExecutor } from '@actkit/executor-local';
import { ToolCallingAgent } from '@actkit/json-actions';
import { type LongRunKind, longRunAnswer, longRunReplies, longRunTask, readPageTool, type ScriptedServer, startOpenAIServer } from '@actkit/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createOpenAI } from '../src/index.js';

const STEPS = 20;
const MODEL = 'gpt-4.1'; // list price known: $2 input, $0.50 cached input per million
let server: ScriptedServer | undefined;
let executor: LocalExecutor | undefined;
afterEach(async () => {
  await server?.close();
  await executor?.close();
  server = executor = undefined;
});

async function longRun(kind: LongRunKind, streaming: boolean): Promise<RunResult> {
  server = await startOpenAIServer(longRunReplies(kind, STEPS));
  const model = createOpenAI({ apiKey: 'test-key', baseURL: `${server.url}/v1`, maxRetries: 0 })(MODEL);
  const { tool, counter } = readPageTool();
  const agent: MultiStepAgent =
    kind === 'tool-calling'
      ? new ToolCallingAgent({ model, tools: [tool], maxSteps: STEPS })
      : new CodeAgent({ model, tools: [tool], maxSteps: STEPS, executor: (executor = new LocalExecutor()) });
  const run = agent.stream(longRunTask(STEPS), {}, streaming);
  for await (const _ of run);
  const result = await run.result;
  expect(result.state).toBe('success');
  expect(Number(result.output)).toBe(longRunAnswer(STEPS));
  expect(actionSteps(result)).toHaveLength(STEPS);
  expect(counter.calls).toBe(STEPS - 1);
  expect(server.requests).toHaveLength(STEPS);
  return result;
}

describe.each<LongRunKind>(['tool-calling', 'code'])('a 20-step %s run on OpenAI', (kind) => {
  it.each([false, true])('sends earlier steps byte for byte as before, so they are read from the cache (streamed: %s)', async (streaming) => {
    const result = await longRun(kind, streaming);
    const requests = server!.requests;
    for (let i = 1; i < requests.length; i++) {
      // The previous request's messages, as its bytes went over the wire, open this request's messages.
      const previous = JSON.stringify(requests[i - 1]!.body.messages).slice(0, -1);
      expect(requests[i - 1]!.rawBody).toContain(previous);
      expect(requests[i]!.rawBody).toContain(previous);
    }
    const { inputTokens } = result.bill;
    // Every step after the first few reads its whole earlier conversation from the cache.
    expect(inputTokens.cacheRead).toBeGreaterThan(inputTokens.total * 0.7);
    expect(inputTokens.cacheWrite).toBe(0);
    expect(result.bill.cost).toBeLessThan(result.bill.costWithoutCache! * 0.5);
    const perStep = actionSteps(result).map((s) => s.usage.inputTokens.cacheRead ?? 0);
    expect(perStep.at(-1)).toBeGreaterThan(perStep[5]!);
  }, 120_000);
});
