/**
 * The agent features of the shared loop, driven through the smallest possible subclass: they
 * must hold for any agent (ToolCallingAgent and CodeAgent are tested in their own packages).
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type ActionStep,
  AgentConfigError,
  AgentError,
  AgentMemory,
  checkTemplate,
  DEFAULT_LOOP_PROMPTS,
  FinalAnswerCheckError,
  formatRun,
  formatToolOutput,
  HookError,
  inspectRun,
  type ModelCallOptions,
  type ModelCapabilities,
  MultiStepAgent,
  renderTemplate,
  type RunEvent,
  type StepContext,
  tool,
} from '../src/index.js';
import { listModel } from './list-model.js';


/** A reply "FINAL: x" (x parsed as JSON when it can be) ends the run; "TOOL name {json}" calls a tool; anything else is echoed. */
class MiniAgent<T = unknown> extends MultiStepAgent<T> {
  protected override buildSystemPrompt(): string {
    return 'Mini.';
  }
  protected override async executeStep(step: ActionStep, context: StepContext): Promise<void> {
    await context.callModel();
    const text = step.modelOutput!.text;
    const tool = /^TOOL (\w+) (.*)$/s.exec(text);
    if (text.startsWith('FINAL: ')) {
      const raw = text.slice(7);
      let value: unknown = raw;
      try {
        value = JSON.parse(raw);
      } catch {}
      step.finalAnswer = { value };
    } else if (tool) {
      step.codeToolCalls = [];
      const { record } = await context.callTool({ toolCallId: `c${step.stepNumber}`, toolName: tool[1]!, input: tool[2]! });
      step.codeToolCalls.push(record);
      step.observation = record.error ? `error: ${record.error.message}` : formatToolOutput(record.output);
    } else step.observation = `echo ${text}`;
  }
}

const lastUserText = (call: ModelCallOptions) => {
  const last = call.messages.at(-1)!;
  return typeof last.content === 'string' ? last.content : last.content.map((p) => ('text' in p ? p.text : `[${p.type}]`)).join('');
};

describe('final-answer review in the loop (any subclass)', () => {
  it('validates against the output schema, tells the model the mismatch, and returns the parsed value', async () => {
    const model = listModel(['FINAL: {"total": "eight"}', 'FINAL: {"total": 8}']);
    const agent = new MiniAgent({ model, outputSchema: z.object({ total: z.number() }) });
    const result = await agent.run('Sum?');
    expect(result.state).toBe('success');
    expect(result.output).toEqual({ total: 8 });
    const [first, second] = agent.memory.actionSteps;
    expect(first!.finalAnswer).toBeUndefined();
    expect(first!.error).toEqual({
      name: 'FinalAnswerSchemaMismatch',
      message: 'Your final answer does not match the required output schema: field "total": Invalid input: expected number, received string. Give the final answer again, fixed.',
    });
    expect(lastUserText(model.calls[1]!)).toContain('field "total": Invalid input: expected number');
    expect(second!.finalAnswer).toEqual({ value: { total: 8 } });
    // The schema is in the system prompt, as JSON Schema.
    expect(model.calls[0]!.messages[0]!.content).toContain('"total":{"type":"number"}');
  });

  it('runs checks on the parsed answer; a rejection reason reaches the model', async () => {
    const seen: unknown[] = [];
    const model = listModel(['FINAL: {"total": -1}', 'FINAL: {"total": 3}']);
    const agent = new MiniAgent({
      model,
      outputSchema: z.object({ total: z.number() }),
      finalAnswerChecks: [
        (answer) => {
          seen.push(answer);
          return answer.total > 0 || 'the total must be positive';
        },
      ],
    });
    const result = await agent.run('Sum?');
    expect(result.output).toEqual({ total: 3 });
    expect(seen).toEqual([{ total: -1 }, { total: 3 }]);
    expect(agent.memory.actionSteps[0]!.error?.message).toBe('Your final answer was rejected: the total must be positive. Keep working, then answer again.');
    expect(lastUserText(model.calls[1]!)).toContain('the total must be positive');
  });

  it('a check that returns false rejects without a reason; one that throws ends the run with the step kept', async () => {
    const falsy = new MiniAgent({ model: listModel(['FINAL: a', 'FINAL: b']), finalAnswerChecks: [(a) => a === 'b'] });
    expect((await falsy.run('go')).output).toBe('b');
    expect(falsy.memory.actionSteps[0]!.error?.message).toBe('Your final answer was rejected. Keep working, then answer again.');

    const agent = new MiniAgent({
      model: listModel(['FINAL: x']),
      finalAnswerChecks: [
        () => {
          throw new TypeError('checker bug');
        },
      ],
    });
    const error = await agent.run('go').catch((e) => e);
    expect(error).toBeInstanceOf(FinalAnswerCheckError);
    expect(error.message).toBe('A final-answer check threw: checker bug');
    expect(error.cause).toBeInstanceOf(TypeError);
    expect(agent.memory.actionSteps).toHaveLength(1);
    expect(agent.memory.actionSteps[0]!.modelOutput?.text).toBe('FINAL: x');
    expect(agent.memory.actionSteps[0]!.error?.name).toBe('FinalAnswerCheckError');
    expect(() => new MiniAgent({ model: listModel([]), finalAnswerChecks: ['no' as never] })).toThrow('finalAnswerChecks must be an array of functions.');
  });

  it('takes JSON-looking text as text when the schema wants text', async () => {
    const result = await new MiniAgent({ model: listModel(['FINAL: "[1, 2]"']), outputSchema: z.string() }).run('x');
    expect(result).toMatchObject({ state: 'success', output: '[1, 2]' });
  });

  it('refuses an output schema that is not zod', () => {
    expect(() => new MiniAgent({ model: listModel([]), outputSchema: { type: 'object' } as never })).toThrow(AgentConfigError);
    expect(() => new MiniAgent({ model: listModel([]), outputSchema: { type: 'object' } as never })).toThrow(/must be a zod schema/);
  });
});

describe('max steps', () => {
  it('asks for the best answer once; under a schema as JSON, validated, with responseFormat', async () => {
    const model = listModel(['a', 'b', '```json\n{"total": 5}\n```']);
    const result = await new MiniAgent({ model, maxSteps: 2, outputSchema: z.object({ total: z.number() }) }).run('Sum?');
    expect(result.state).toBe('max_steps');
    expect(result.output).toEqual({ total: 5 });
    expect(model.calls).toHaveLength(3);
    expect(lastUserText(model.calls[2]!)).toContain('You have used all 2 steps you were allowed');
    expect(lastUserText(model.calls[2]!)).toContain('Reply with JSON only, matching this JSON Schema');
    expect(model.calls[2]!.responseFormat).toMatchObject({ type: 'json', schema: { type: 'object' } });
  });

  it('a best answer not matching the schema leaves no output and says why', async () => {
    const result = await new MiniAgent({ model: listModel(['a', 'no idea']), maxSteps: 1, outputSchema: z.object({ total: z.number() }) }).run('Sum?');
    expect(result.state).toBe('max_steps');
    expect(result.output).toBeUndefined();
    const last = result.steps.at(-1) as ActionStep;
    expect(last.error?.name).toBe('FinalAnswerSchemaMismatch');
    expect(last.modelOutput?.text).toBe('no idea');
  });
});

describe('planning', () => {
  it('plans first, then revises with the steps left; plans are in memory, usage and the stream', async () => {
    const model = listModel(['plan A', 'a', 'b', 'plan B', 'FINAL: done']);
    const agent = new MiniAgent({ model, planningInterval: 2, maxSteps: 5 });
    const events: RunEvent[] = [];
    const stream = agent.stream('Do it.');
    for await (const e of stream) events.push(e);
    const result = await stream.result;
    expect(result.steps.map((s) => s.type)).toEqual(['task', 'planning', 'action', 'action', 'planning', 'action']);
    expect(events.filter((e) => e.type === 'planning').map((e) => (e as { step: { plan: string } }).step.plan)).toEqual(['plan A', 'plan B']);
    expect(lastUserText(model.calls[0]!)).toContain('Before acting, make a short plan');
    expect(lastUserText(model.calls[3]!)).toContain('You have 3 steps left');
    expect(JSON.stringify(model.calls[1]!.messages)).toContain('plan A');
    expect(result.usage.inputTokens.total).toBe(50); // 5 calls, plans included
  });

  it('uses replaced planning prompts, and refuses broken ones when the agent is created', async () => {
    const model = listModel(['plan', 'FINAL: ok']);
    await new MiniAgent({ model, planningInterval: 3, loopPrompts: { initialPlan: 'Plan "{{task}}" in {{max_steps}} steps.' }, maxSteps: 4 }).run('fly');
    expect(lastUserText(model.calls[0]!)).toBe('Plan "fly" in 4 steps.');
    expect(() => new MiniAgent({ model, loopPrompts: { updatePlan: 'Left: {{remaining}}' } })).toThrow(
      'The loopPrompts.updatePlan prompt uses {{remaining}}, which it cannot: its placeholders are {{task}}, {{step}}, {{remaining_steps}}.',
    );
    expect(() => new MiniAgent({ model, loopPrompts: { plan: 'x' } as never })).toThrow(/loopPrompts has no prompt "plan"/);
    expect(() => new MiniAgent({ model, loopPrompts: { initialPlan: 42 } as never })).toThrow('The loopPrompts.initialPlan prompt must be a string, got number.');
    expect(() => new MiniAgent({ model, planningInterval: 1.5 })).toThrow(/planningInterval must be a positive integer/);
  });

  it('is aborted cleanly when the signal fires during planning', async () => {
    const controller = new AbortController();
    const model = listModel([
      () => {
        controller.abort();
        return 'plan';
      },
    ]);
    const result = await new MiniAgent({ model, planningInterval: 1 }).run('x', { signal: controller.signal });
    expect(result.state).toBe('aborted');
    expect(result.steps.map((s) => s.type)).toEqual(['task']);
  });

  it('a failing planning call is a typed error', async () => {
    const error = await new MiniAgent({ model: listModel([new Error('503 overloaded')]), planningInterval: 1 }).run('x').catch((e) => e);
    expect(error).toBeInstanceOf(AgentError);
    expect(error.message).toBe('Planning failed (list/list): 503 overloaded');
  });
});

describe('hooks', () => {
  it('get the agent, run, memory and step with every event, in order, and can stop the run', async () => {
    const log: string[] = [];
    const agent: MiniAgent = new MiniAgent({
      model: listModel(['a', 'b', 'c']),
      hooks: {
        onEvent: (event, ctx) => {
          expect(ctx.agent).toBe(agent);
          expect(ctx.memory).toBe(agent.memory);
          log.push(`${event.type}${ctx.step ? `@${ctx.step.stepNumber}` : ''}`);
        },
        onStepStart: (n, ctx) => {
          expect(ctx.step?.stepNumber).toBe(n);
          log.push(`start ${n}`);
        },
        onStepEnd: (step, ctx) => {
          log.push(`end ${step.stepNumber} ${step.observation}`);
          if (step.stepNumber === 2) ctx.stop('enough');
        },
      },
    });
    const result = await agent.run('go');
    expect(result).toMatchObject({ state: 'stopped', stopReason: 'enough', stoppedBy: 'hook', output: undefined });
    expect(log).toEqual([
      'run-start',
      'step-start@1',
      'start 1',
      'model-response@1',
      'step-finish@1',
      'end 1 echo a',
      'step-start@2',
      'start 2',
      'model-response@2',
      'step-finish@2',
      'end 2 echo b',
      'run-finish@2',
    ]);
  });

  it('a hook that throws mid-step ends the run with a HookError, and the step is kept with that error', async () => {
    const echo = tool({ name: 'echo', description: 'Echoes.', input: z.object({ v: z.string() }), run: ({ v }) => v });
    const agent = new MiniAgent({
      model: listModel(['first', 'TOOL echo {"v":"x"}']),
      tools: [echo],
      hooks: {
        onEvent: (event) => {
          if (event.type === 'tool-call') throw new Error('metrics backend down');
        },
      },
    });
    const error = await agent.run('go').catch((e) => e);
    expect(error).toBeInstanceOf(HookError);
    expect(error).toMatchObject({ hook: 'onEvent', eventType: 'tool-call', message: 'The onEvent hook threw on a tool-call event: metrics backend down' });
    const steps = agent.memory.actionSteps;
    expect(steps.map((s) => s.stepNumber)).toEqual([1, 2]);
    expect(steps[1]!.modelOutput?.text).toBe('TOOL echo {"v":"x"}');
    expect(steps[1]!.error).toMatchObject({ name: 'HookError', message: expect.stringContaining('metrics backend down') });
    // The agent can run again afterwards.
    expect(agent.memory.steps[0]).toMatchObject({ type: 'task', task: 'go' });
  });

  it('run hooks add to the agent hooks for one run; bad hooks are refused clearly', async () => {
    const seen: string[] = [];
    const agent = new MiniAgent({ model: listModel(['FINAL: 1', 'FINAL: 2']), hooks: { onStepEnd: () => void seen.push('agent') } });
    await agent.run('one', { hooks: { onStepEnd: () => void seen.push('run') } });
    await agent.run('two');
    expect(seen).toEqual(['agent', 'run', 'agent']);
    expect(() => new MiniAgent({ model: listModel([]), hooks: { onEvent: 'log' } as never })).toThrow('hooks.onEvent must be a function.');
    await expect(agent.run('x', { hooks: 5 as never })).rejects.toThrow('run hooks must be an object of callbacks.');
  });
});

describe('interrupt and resume', () => {
  it('stops at once when aborted inside a step, even if a tool ignores the signal', async () => {
    const stubborn = tool({
      name: 'slow',
      description: 'Ignores cancellation.',
      input: z.object({}),
      // Never settles: the run can only end through the abort.
      run: () => new Promise(() => {}),
    });
    const controller = new AbortController();
    const agent = new MiniAgent({ model: listModel(['TOOL slow {}']), tools: [stubborn] });
    setTimeout(() => controller.abort(), 50);
    const result = await agent.run('x', { signal: controller.signal });
    expect(result.state).toBe('aborted');
    expect((result.steps.at(-1) as ActionStep).error?.message).toBe('The run was aborted during this step.');
  });

  it('an aborted run serialises, and a new agent resumes it where it stopped', async () => {
    const controller = new AbortController();
    const first = new MiniAgent({
      model: listModel(['looked at part 1', 'never used']),
      hooks: { onStepEnd: () => controller.abort() },
    });
    const stopped = await first.run('Two parts.', { signal: controller.signal });
    expect(stopped.state).toBe('aborted');
    const saved = JSON.stringify(first.memory.toJSON());

    const model = listModel(['looked at part 2', 'FINAL: both']);
    const second = new MiniAgent({ model, memory: AgentMemory.fromJSON(saved) });
    const resumed = await second.resume().result;
    expect(resumed).toMatchObject({ state: 'success', output: 'both' });
    expect(resumed.steps.map((s) => (s as ActionStep).stepNumber)).toEqual([2, 3]);
    const sent = JSON.stringify(model.calls[0]!.messages);
    expect(sent).toContain('Two parts.');
    expect(sent).toContain('echo looked at part 1');
    await expect(new MiniAgent({ model }).resume().result).rejects.toThrow('Nothing to resume: the memory holds no task.');
  });

  it('memory saved after every step (onStepEnd) lets a new agent finish a run whose process failed', async () => {
    let saved = '';
    const crashing = new MiniAgent({
      model: listModel(['found part 1', new Error('connection reset')]),
      hooks: { onStepEnd: (_step, { memory }) => void (saved = JSON.stringify(memory.toJSON())) },
    });
    const error = await crashing.run('Two parts.').catch((e) => e);
    expect(error.message).toBe('Model call failed (list/list): connection reset');
    // The live memory keeps the failed step with its error; the checkpoint holds every step that finished.
    expect(crashing.memory.actionSteps.map((s) => s.error?.message)).toEqual([undefined, 'Model call failed (list/list): connection reset']);
    const restored = AgentMemory.fromJSON(saved);
    expect(restored.steps.map((s) => s.type)).toEqual(['task', 'action']);

    const model = listModel(['FINAL: both parts']);
    const result = await new MiniAgent({ model, memory: restored }).resume().result;
    expect(result).toMatchObject({ state: 'success', output: 'both parts' });
    expect(result.steps.map((s) => (s as ActionStep).stepNumber)).toEqual([2]);
    expect(JSON.stringify(model.calls[0]!.messages)).toContain('echo found part 1');
  });

  it('closing the stream mid-step ends the run and keeps the step', async () => {
    const agent = new MiniAgent({ model: listModel(['a', (c) => new Promise((r) => setTimeout(() => r('b'), 100))]) });
    const stream = agent.stream('go'); // streaming: the reply of step 2 arrives in deltas
    for await (const event of stream) if (event.type === 'text-delta' && event.stepNumber === 2) break;
    await expect(stream.result).rejects.toThrow('The run stream was closed before the run ended.');
    expect(agent.memory.actionSteps.map((s) => s.error?.message)).toEqual([undefined, 'The run was closed during this step.']);
  });

  it('memory refuses corrupt data with where it is wrong, and nothing else is changed', async () => {
    const agent = new MiniAgent({ model: listModel(['x', 'FINAL: y']) });
    await agent.run('task');
    const good = agent.memory.toJSON();
    expect(AgentMemory.fromJSON(JSON.stringify(good)).steps).toEqual(JSON.parse(JSON.stringify(good.steps)));
    const corrupt = (edit: (m: any) => void) => {
      const m = JSON.parse(JSON.stringify(good));
      edit(m);
      return () => AgentMemory.fromJSON(m);
    };
    expect(() => AgentMemory.fromJSON('{"version":1,')).toThrow(/^Cannot restore agent memory: not valid JSON/);
    expect(() => AgentMemory.fromJSON([])).toThrow('Cannot restore agent memory: expected an object from AgentMemory.toJSON().');
    expect(() => AgentMemory.fromJSON({ version: 9 })).toThrow('Cannot restore agent memory: unknown version 9 (this version of actkit reads version 1).');
    expect(corrupt((m) => delete m.steps[1].usage)).toThrow('Cannot restore agent memory: field "steps[1].usage": Invalid input: expected object, received undefined.');
    expect(corrupt((m) => (m.steps[1].toolCalls = [{ toolName: 'x' }]))).toThrow(/field "steps\[1\]\.toolCalls\[0\]\.toolCallId"/);
    expect(corrupt((m) => (m.steps[0].task = 7))).toThrow(/field "steps\[0\]\.task": Invalid input: expected string, received number/);
    expect(corrupt((m) => (m.steps[2].modelOutput.content = 'x'))).toThrow(/steps\[2\]\.modelOutput\.content/);
    expect(corrupt((m) => (m.systemPrompt = null))).toThrow(/field "systemPrompt"/);
    expect(() => new MiniAgent({ model: listModel([]), memory: good as never })).toThrow('memory must be an AgentMemory, e.g. AgentMemory.fromJSON(saved).');
  });
});

describe('images', () => {
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);

  it('task images reach a model that accepts them, stored as base64 so memory stays JSON', async () => {
    const model = listModel(['FINAL: a cat']);
    const agent = new MiniAgent({ model });
    await agent.run('What is in the picture?', { files: [{ type: 'file', mediaType: 'image/png', data: png }] });
    const user = model.calls[0]!.messages[1]!;
    expect(user).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: 'New task:\nWhat is in the picture?' },
        { type: 'file', mediaType: 'image/png', data: 'iVBORw==' },
      ],
    });
    expect(AgentMemory.fromJSON(JSON.stringify(agent.memory.toJSON())).steps[0]).toMatchObject({ files: [{ data: 'iVBORw==' }] });
  });

  it('tool images reach the model; a model without image support gets a note instead', async () => {
    const screenshot = tool({
      name: 'screenshot',
      description: 'Takes a screenshot.',
      input: z.object({}),
      run: () => ['the page', { type: 'file', mediaType: 'image/png', data: png }],
    });
    const run = async (capabilities?: ModelCapabilities) => {
      const model = listModel(['TOOL screenshot {}', 'FINAL: ok'], { capabilities });
      const agent = new MiniAgent({ model, tools: [screenshot] });
      await agent.run('Look.', { files: [{ type: 'file', mediaType: 'image/jpeg', data: 'AAAA' }] });
      return { model, agent };
    };
    const { agent, model } = await run();
    // From a code action (or calls written as text) the image follows the observation, which names it instead of dumping base64.
    expect(model.calls[1]!.messages.at(-1)).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: 'Observation:\n[\n  "the page",\n  "[file: image/png]"\n]' },
        { type: 'file', mediaType: 'image/png', data: 'iVBORw==' },
      ],
    });
    // Stored as base64 on the record: memory serialises.
    expect(agent.memory.actionSteps[0]!.codeToolCalls![0]!.output).toEqual(['the page', { type: 'file', mediaType: 'image/png', data: 'iVBORw==' }]);

    const { model: textOnly } = await run({ images: false });
    const sent = JSON.stringify(textOnly.calls[1]!.messages);
    expect(sent).not.toContain('"type":"file"');
    expect(sent).toContain('[An image was here; this model does not accept images.]');
    expect(textOnly.calls[1]!.messages.at(-1)!.content).toEqual([
      { type: 'text', text: 'Observation:\n[\n  "the page",\n  "[file: image/png]"\n]' },
      { type: 'text', text: '[An image was here; this model does not accept images.]' },
    ]);
  });

  it('refuses files that are not file parts', async () => {
    const agent = new MiniAgent({ model: listModel(['FINAL: x']) });
    await expect(agent.run('x', { files: [{ type: 'image', data: 'x' }] as never })).rejects.toThrow('files[0] needs type: "file".');
    await expect(agent.run('x', { files: [{ type: 'file', mediaType: 'png', data: 'x' }] })).rejects.toThrow(
      'files[0] needs a mediaType such as "image/png".',
    );
    await expect(agent.run('x', { files: [{ type: 'file', mediaType: 'image/png', data: 5 as never }] })).rejects.toThrow(/files\[0\] needs data/);
    await expect(agent.run('x', { files: 'a.png' as never })).rejects.toThrow(/files must be an array/);
    // Nothing ran, and the agent is not left "running".
    expect((await agent.run('fine')).output).toBe('x');
  });
});

describe('replay and inspection', () => {
  it('inspectRun gives every model call with its full messages, usage and timing, and the totals', async () => {
    const model = listModel(['plan', 'a', 'FINAL: 1']);
    const result = await new MiniAgent({ model, planningInterval: 5 }).run('go');
    const inspection = inspectRun(result);
    expect(inspection.calls.map((c) => [c.kind, c.stepNumber])).toEqual([
      ['planning', undefined],
      ['action', 1],
      ['action', 2],
    ]);
    expect(inspection.calls[2]!.messages).toBe(model.calls[2]!.messages);
    expect(inspection.calls[1]!.reply?.text).toBe('a');
    expect(inspection.calls.every((c) => c.durationMs >= 0 && c.usage.inputTokens.total === 10)).toBe(true);
    expect(inspection.usage).toEqual(result.usage);
    expect(inspection.durationMs).toBe(result.timing.durationMs);
    expect(inspection.steps).toBe(2);
  });

  it('formatRun prints a run, or memory restored from JSON, step by step', async () => {
    const agent = new MiniAgent({ model: listModel(['plan it', 'look', 'FINAL: {"n": 1}']), planningInterval: 9 });
    const result = await agent.run('Count.');
    const text = formatRun(result);
    expect(text).toContain('Task: Count.');
    expect(text).toMatch(/Plan \(\d+ ms, 12 tokens\):\n {4}plan it/);
    expect(text).toMatch(/Step 1 \(\d+ ms, 12 tokens\)\n {2}Thought: look\n {2}Observation: echo look/);
    expect(text).toContain('  Final answer: {"n":1}');
    expect(text).toMatch(/Result: success · 2 steps · [\d.]+ s · 30 input tokens \(0 cached\), 6 output tokens\nOutput: {"n":1}$/);
    const fromMemory = formatRun(AgentMemory.fromJSON(JSON.stringify(agent.memory.toJSON())));
    expect(fromMemory).toContain('Step 2');
    expect(fromMemory).toMatch(/Result: 2 steps · [\d.]+ s · 30 input tokens/);
  });
});

describe('prompt templates', () => {
  it('render and check placeholders with clear errors', () => {
    expect(renderTemplate('{{a}} and {{ b }}', { a: 1, b: 'two' })).toBe('1 and two');
    expect(() => renderTemplate('{{c}}', { a: 1 })).toThrow(AgentConfigError);
    expect(checkTemplate('Hi {{name}}', ['name'], 'greeting')).toBe('Hi {{name}}');
    expect(() => checkTemplate('Hi {{nam}}', ['name'], 'greeting')).toThrow('The greeting prompt uses {{nam}}, which it cannot: its placeholders are {{name}}.');
    // Every default loop prompt renders with its placeholders.
    for (const [key, text] of Object.entries(DEFAULT_LOOP_PROMPTS)) expect(text.length, key).toBeGreaterThan(10);
  });
});

describe('memory serialisation', () => {
  it('is plain JSON whatever tools returned: bigints as digits, bytes as base64; a cycle is a clear error', async () => {
    const odd = tool({
      name: 'odd',
      description: 'Returns odd values.',
      input: z.object({}),
      run: () => ({ big: 2n ** 70n, bytes: Buffer.from('hi'), when: new Date(0), fn: () => 1 }),
    });
    const agent = new MiniAgent({ model: listModel(['TOOL odd {}', 'FINAL: ok']), tools: [odd] });
    await agent.run('go');
    const json = agent.memory.toJSON();
    expect(json.steps[1]).toMatchObject({ codeToolCalls: [{ output: { big: '1180591620717411303424', bytes: 'aGk=', when: '1970-01-01T00:00:00.000Z' } }] });
    expect(AgentMemory.fromJSON(JSON.stringify(json)).steps).toEqual(json.steps);
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    (agent.memory.actionSteps[0]!.codeToolCalls![0]! as { output: unknown }).output = loop;
    expect(() => agent.memory.toJSON()).toThrow(/^Cannot serialise agent memory: Converting circular structure/);
  });
});
