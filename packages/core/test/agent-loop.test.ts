import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type ActionStep,
  AgentAbortedError,
  AgentConfigError,
  AgentMemory,
  collectStream,
  type ModelResponse,
  ModelCallError,
  MultiStepAgent,
  renderTemplate,
  responseToStreamParts,
  type RunEvent,
  type StepContext,
  Toolbox,
  tool,
  truncateText,
  sumUsage,
} from '../src/index.js';
import { listModel } from './list-model.js';


/** The smallest agent: a reply "FINAL: x" ends the run, anything else is echoed as the observation. */
class EchoAgent extends MultiStepAgent {
  protected override buildSystemPrompt(): string {
    return 'Echo.';
  }
  protected override async executeStep(step: ActionStep, context: StepContext): Promise<void> {
    await context.callModel();
    const text = step.modelOutput!.text;
    if (text.startsWith('FINAL: ')) step.finalAnswer = { value: text.slice(7) };
    else step.observation = `echo ${text}`;
  }
}

describe('MultiStepAgent', () => {
  it('loops model → observation until a final answer, with usage, timing and memory', async () => {
    const model = listModel(['one', 'two', 'FINAL: done']);
    const agent = new EchoAgent({ model });
    const result = await agent.run('task');
    expect(result).toMatchObject({ state: 'success', output: 'done' });
    expect(result.steps.map((s) => s.type)).toEqual(['task', 'action', 'action', 'action']);
    expect(result.usage.inputTokens.total).toBe(30);
    expect(result.timing.durationMs).toBeGreaterThanOrEqual(0);
    // The third call saw both observations.
    const third = JSON.stringify(model.calls[2]!.messages);
    expect(third).toContain('echo one');
    expect(third).toContain('echo two');
  });

  it('streams typed events in order, with text deltas', async () => {
    const agent = new EchoAgent({ model: listModel(['hello there', 'FINAL: ok']) });
    const events: RunEvent[] = [];
    const stream = agent.stream('task');
    for await (const event of stream) events.push(event);
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('run-start');
    expect(types.at(-1)).toBe('run-finish');
    expect(types.filter((t) => t === 'text-delta').length).toBeGreaterThan(2);
    expect(types.indexOf('final-answer')).toBeLessThan(types.indexOf('run-finish'));
    expect((await stream.result).output).toBe('ok');
  });

  it('asks once for a best answer when maxSteps is reached', async () => {
    const model = listModel(['a', 'b', 'my best guess']);
    const result = await new EchoAgent({ model, maxSteps: 2 }).run('task');
    expect(result.state).toBe('max_steps');
    expect(result.output).toBe('my best guess');
    expect(JSON.stringify(model.calls[2]!.messages)).toContain('You have used all 2 steps you were allowed');
  });

  it('stops cleanly when aborted inside a step', async () => {
    const controller = new AbortController();
    const agent = new EchoAgent({ model: listModel(['a', 'b', 'c'], { delayMs: 200 }) });
    setTimeout(() => controller.abort(), 50);
    const result = await agent.run('task', { signal: controller.signal });
    expect(result.state).toBe('aborted');
    const step = result.steps.find((s): s is ActionStep => s.type === 'action');
    expect(step?.error?.name).toBe(AgentAbortedError.name);
  });

  it('gives the caller a typed error when the model fails, and keeps the step', async () => {
    const agent = new EchoAgent({ model: listModel([Object.assign(new Error('overloaded'), { status: 529 })]) });
    const error = await agent.run('task').catch((e) => e);
    expect(error).toBeInstanceOf(ModelCallError);
    expect(error.statusCode).toBe(529);
    expect(agent.memory.actionSteps[0]?.error?.message).toMatch(/overloaded/);
  });

  it('continues a conversation with reset: false, and refuses bad configuration', async () => {
    const agent = new EchoAgent({ model: listModel(['FINAL: 1', 'FINAL: 2']) });
    await agent.run('first');
    const second = await agent.run('second', { reset: false });
    expect(second.output).toBe('2');
    expect(agent.memory.steps.filter((s) => s.type === 'task')).toHaveLength(2);
    expect(() => new EchoAgent({ model: listModel([]), maxSteps: 0 })).toThrow(AgentConfigError);
    expect(() => new EchoAgent({} as never)).toThrow(/model/);
    await expect(agent.run('  ')).rejects.toThrow(/non-empty task/);
  });

  it('runs two tasks at once on one agent, each with its own memory; one memory serves one run at a time', async () => {
    const agent = new EchoAgent({ model: listModel(['FINAL: a', 'FINAL: b'], { delayMs: 50 }) });
    const first = agent.stream('one', {}, false);
    const second = agent.stream('two', {}, false);
    const [a, b] = await Promise.all([first.result, second.result]);
    expect([a.state, b.state]).toEqual(['success', 'success']);
    expect(a.runId).not.toBe(b.runId);
    expect(first.memory).not.toBe(second.memory);
    expect(first.memory.steps[0]).toMatchObject({ type: 'task', task: 'one' });
    expect(second.memory.steps[0]).toMatchObject({ type: 'task', task: 'two' });
    // Continuing one conversation twice at the same time would interleave it: refused.
    const shared = new EchoAgent({ model: listModel(['FINAL: c'], { delayMs: 50 }) });
    const memory = new AgentMemory();
    const running = shared.run('three', { memory });
    await expect(shared.run('four', { memory, reset: false })).rejects.toThrow(/memory is in use by another run/);
    await expect(running).resolves.toMatchObject({ state: 'success', output: 'c' });
  });
});

describe('AgentMemory', () => {
  it('round-trips through JSON and rejects corrupt data clearly', async () => {
    const agent = new EchoAgent({ model: listModel(['x', 'FINAL: y']) });
    await agent.run('task');
    const restored = AgentMemory.fromJSON(JSON.stringify(agent.memory.toJSON()));
    expect(restored.steps).toEqual(agent.memory.steps);
    expect(() => AgentMemory.fromJSON('{not json')).toThrow(/not valid JSON/);
    expect(() => AgentMemory.fromJSON({ version: 2 })).toThrow(/unknown version/);
    expect(() => AgentMemory.fromJSON({ version: 1, systemPrompt: '', steps: [{ type: 'weird', timing: { startedAt: 1 } }] })).toThrow(
      /steps\[0\]\.type/,
    );
  });
});

describe('Toolbox', () => {
  const add = tool({
    name: 'add',
    description: 'Adds.',
    input: z.object({ a: z.number(), b: z.number() }),
    run: ({ a, b }) => a + b,
  });
  const options = { signal: new AbortController().signal, toolCallId: 't' };

  it('validates and runs; unknown tools and bad input come back as errors, never throws', async () => {
    const box = new Toolbox([add]);
    expect(await box.call('add', '{"a":1,"b":2}', options)).toMatchObject({ ok: true, output: 3 });
    const unknown = await box.call('nope', {}, options);
    expect(unknown.ok || unknown.error.message).toMatch(/nope/);
    const bad = await box.call('add', { a: 'x', b: 1 }, options);
    expect(bad.ok || bad.error.message).toMatch(/add.*"a"/);
    const malformed = await box.call('add', '{"a":1,', options);
    expect(malformed.ok).toBe(false);
    expect(() => new Toolbox([add, add])).toThrow(/Two tools/);
  });
});

describe('helpers', () => {
  it('collects a stream into the same response, and fails on a cut stream', async () => {
    const response: ModelResponse = {
      content: [
        { type: 'text', text: 'hi there' },
        { type: 'tool-call', toolCallId: 'c1', toolName: 'add', input: '{"a":1}' },
      ],
      finishReason: 'tool-calls',
      usage: sumUsage([]),
    };
    const parts = [...responseToStreamParts(response, 2)];
    async function* from(list: typeof parts) {
      yield* list;
    }
    expect(await collectStream(from(parts))).toMatchObject({ content: response.content, finishReason: 'tool-calls' });
    await expect(collectStream(from(parts.slice(0, -1)))).rejects.toThrow();
  });

  it('renders templates and truncates text with a note', () => {
    expect(renderTemplate('Hi {{name}}', { name: 'Ada' })).toBe('Hi Ada');
    expect(() => renderTemplate('Hi {{who}}', {})).toThrow(/who/);
    const cut = truncateText('x'.repeat(100), 20);
    expect(cut.truncated).toBe(true);
    expect(cut.text).toContain('80 characters truncated');
  });
});
