import { describe, expect, it } from 'vitest';
import {
  type ActionStep,
  AgentConfigError,
  AgentMemory,
  charsOf,
  ContextBudget,
  type Model,
  type ModelCallOptions,
  type ModelMessage,
  MessageLog,
  MultiStepAgent,
  responseToStreamParts,
  type StepContext,
} from '../src/index.js';
import { emptyUsage } from '../src/usage.js';

const TASK = 'Read every page and report.';
const page = (n: number) => `page ${n} `.repeat(250); // 2 000+ characters

/** Each step's observation is a long page: a conversation that outgrows a small window. */
class PageAgent extends MultiStepAgent {
  protected override buildSystemPrompt(): string {
    return 'Read pages.';
  }
  protected override async executeStep(step: ActionStep, context: StepContext): Promise<void> {
    await context.callModel();
    const text = step.modelOutput!.text;
    if (text.startsWith('FINAL')) step.finalAnswer = { value: text };
    else step.observation = page(step.stepNumber);
  }
}

/** A model that reports input tokens as about four characters each, and keeps every call. */
function countingModel(steps: number): Model & { calls: ModelCallOptions[] } {
  const calls: ModelCallOptions[] = [];
  const generate = async (call: ModelCallOptions) => {
    calls.push(call);
    const input = Math.ceil(charsOf(call.messages) / 4);
    return {
      content: [{ type: 'text' as const, text: calls.length === steps ? 'FINAL done' : `read ${calls.length}` }],
      finishReason: 'stop' as const,
      usage: { ...emptyUsage(), inputTokens: { total: input, noCache: input, cacheRead: 0, cacheWrite: 0 } },
    };
  };
  return { provider: 'test', modelId: 'counting', calls, generate, async *stream(call) { yield* responseToStreamParts(await generate(call), 50); } };
}

const textOf = (messages: ModelMessage[]) => JSON.stringify(messages);

describe('context budget', () => {
  it('shortens older observations in what is sent, keeps memory whole, and stays within the window', async () => {
    const model = countingModel(20);
    const agent = new PageAgent({ model, contextBudget: { contextWindow: 6_000 } });
    const result = await agent.run(TASK);
    expect(result.state).toBe('success');
    for (const call of model.calls) {
      expect(charsOf(call.messages) / 4).toBeLessThan(6_000); // never over the window
      expect(textOf(call.messages)).toContain(TASK); // the task is never shortened
    }
    const last = model.calls.at(-1)!.messages;
    expect(textOf(last)).toContain('characters elided to keep the conversation within');
    // The newest three steps go whole.
    for (const n of [17, 18, 19]) expect(textOf(last)).toContain(JSON.stringify(`Observation:\n${page(n)}`).slice(1, -1));
    // Memory keeps every observation whole.
    expect(result.steps.filter((s) => s.type === 'action').every((s, i) => i === 19 || (s as ActionStep).observation === page(i + 1))).toBe(true);
    // Shortening happens now and then, not at every step: most calls extend the previous one's messages as they were.
    let changed = 0;
    for (let i = 1; i < model.calls.length; i++) {
      const before = model.calls[i - 1]!.messages;
      const now = model.calls[i]!.messages;
      if (before.some((m, j) => JSON.stringify(m) !== JSON.stringify(now[j]))) changed++;
    }
    expect(changed).toBeGreaterThan(0);
    expect(changed).toBeLessThanOrEqual(5);
  });

  it('is off for a model whose window is not known, and with contextBudget: false', async () => {
    for (const options of [{}, { contextBudget: false as const }]) {
      const model = countingModel(8);
      await new PageAgent({ model, ...options }).run(TASK);
      expect(textOf(model.calls.at(-1)!.messages)).not.toContain('elided');
    }
  });

  it('never shortens a step with a call waiting for approval', () => {
    const memory = new AgentMemory();
    memory.reset('sys');
    memory.steps.push({ type: 'task', task: TASK, timing: { startedAt: 0 } });
    for (let n = 1; n <= 8; n++) {
      const step: ActionStep = { type: 'action', stepNumber: n, timing: { startedAt: 0 }, toolCalls: [], observation: page(n), usage: emptyUsage() };
      if (n === 1) step.toolCalls = [{ toolCallId: 'a', toolName: 'pay', input: {}, pendingApproval: { id: 'x' } }];
      memory.steps.push(step);
    }
    const messages = new ContextBudget(1_000, { keepLastSteps: 1 }).messages(memory, new MessageLog());
    const observations = messages.filter((m) => m.role === 'user').map((m) => JSON.stringify(m));
    expect(observations[1]).toContain(page(1).slice(0, 100)); // the waiting step
    expect(observations[1]).not.toContain('elided');
    expect(observations.slice(2, -1).every((o) => o.includes('elided'))).toBe(true);
    expect(observations.at(-1)).not.toContain('elided');
  });

  it('can be replaced by a hook, and checks its options', async () => {
    const model = countingModel(3);
    const seen: number[] = [];
    const agent = new PageAgent({
      model,
      contextBudget: {
        compact: (messages, context) => {
          seen.push(context.estimatedTokens);
          expect(context.contextWindow).toBeUndefined();
          return [messages[0]!, ...messages.slice(-1)];
        },
      },
    });
    await agent.run(TASK);
    expect(seen).toHaveLength(3);
    expect(model.calls.every((c) => c.messages.length <= 2)).toBe(true);
    expect(() => new PageAgent({ model, contextBudget: { contextWindow: 1000, threshold: 2 } })).toThrow(AgentConfigError);
    expect(() => new PageAgent({ model, contextBudget: { contextWindow: -1 } })).toThrow(AgentConfigError);
  });
});
