import { CodeAgent } from '@actkit/code-actions';
import { type CodeExecutor, isPromiseLike, type Model, type ModelCallOptions, ModelCallError, type RunEvent, tool } from '@actkit/core';
import { LocalExecutor } from '@actkit/executor-local';
import { ToolCallingAgent } from '@actkit/json-actions';
import { ScriptedModel } from '@actkit/testing';
import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AlwaysOffSampler, BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { traceModel, withTracing } from '../src/index.js';

const weather = tool({
  name: 'get_weather',
  description: 'Weather for a city.',
  input: z.object({ city: z.string() }),
  run: async ({ city }) => {
    await new Promise((r) => setTimeout(r, 20));
    if (city === 'Atlantis') throw new Error('no such city');
    return { celsius: 21 };
  },
});

function setup() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const spans = () => exporter.getFinishedSpans();
  const named = (name: string) => spans().filter((s) => s.name === name);
  const one = (name: string) => {
    const found = named(name);
    expect(found, name).toHaveLength(1);
    return found[0]!;
  };
  const parentOf = (span: ReadableSpan) => spans().find((s) => s.spanContext().spanId === span.parentSpanContext?.spanId);
  const ms = (t: [number, number]) => t[0] * 1e3 + t[1] / 1e6;
  return { tracer: provider.getTracer('test'), spans, named, one, parentOf, ms };
}

// A context manager, as every Node SDK setup installs: spans started inside a span's callback nest under it.
const contextManager = new AsyncLocalStorageContextManager();
beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
});
afterAll(() => {
  contextManager.disable();
  context.disable();
});

describe('a ToolCallingAgent run', () => {
  it('is a tree of run, step, chat and tool spans with GenAI attributes and real timings', async () => {
    const { tracer, spans, named, one, parentOf, ms } = setup();
    const seen: string[] = [];
    const agent = new ToolCallingAgent(
      withTracing(
        {
          name: 'weather_bot',
          description: 'Tells the weather.',
          model: new ScriptedModel(
            [
              { toolCalls: [{ name: 'get_weather', input: { city: 'Rome' }, id: 'c1' }, { name: 'get_weather', input: { city: 'Atlantis' }, id: 'c2' }], usage: { input: 100, output: 20, cacheRead: 40 } },
              { toolCalls: [{ name: 'get_weather', input: { town: 'Oslo' }, id: 'c3' }], usage: { input: 150, output: 10 } },
              { toolCalls: [{ name: 'final_answer', input: { answer: '21' }, id: 'c4' }], usage: { input: 160, output: 5 } },
            ],
            { modelId: 'test-model', latencyMs: 30 },
          ),
          tools: [weather],
          modelSettings: { temperature: 0.2, maxOutputTokens: 500 },
          hooks: { onEvent: (event: RunEvent) => void seen.push(event.type) },
        },
        { tracer },
      ),
    );
    const result = await agent.run('Weather in Rome?');
    expect(result.output).toBe('21');
    expect(seen).toContain('run-finish'); // the agent's own hooks still run

    const run = one('invoke_agent weather_bot');
    expect(parentOf(run)).toBeUndefined();
    expect(run.attributes).toMatchObject({
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': 'weather_bot',
      'gen_ai.agent.description': 'Tells the weather.',
      'gen_ai.provider.name': 'scripted',
      'gen_ai.request.model': 'test-model',
      'actkit.run.state': 'success',
      'actkit.run.steps': 3,
      'gen_ai.usage.input_tokens': 410,
      'gen_ai.usage.output_tokens': 35,
    });
    expect(run.status.code).toBe(SpanStatusCode.UNSET);

    const steps = named('actkit.step');
    expect(steps.map((s) => s.attributes['actkit.step.number'])).toEqual([1, 2, 3]);
    for (const step of steps) expect(parentOf(step)).toBe(run);

    const chats = named('chat test-model');
    expect(chats).toHaveLength(3);
    expect(chats.map((c) => parentOf(c))).toEqual(steps);
    expect(chats[0]!.kind).toBe(2); // CLIENT
    expect(chats[0]!.attributes).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'scripted',
      'gen_ai.request.model': 'test-model',
      'gen_ai.request.temperature': 0.2,
      'gen_ai.request.max_tokens': 500,
      'gen_ai.response.finish_reasons': ['tool_calls'],
      'gen_ai.usage.input_tokens': 100,
      'gen_ai.usage.output_tokens': 20,
      'gen_ai.usage.cache_read.input_tokens': 40,
    });
    // Spans time the model call itself (the scripted latency), not the step around it.
    expect(ms(chats[0]!.duration)).toBeGreaterThanOrEqual(25);

    const tools = named('execute_tool get_weather');
    expect(tools.map((t) => t.attributes['gen_ai.tool.call.id'])).toEqual(['c1', 'c2', 'c3']);
    const [rome, atlantis, oslo] = tools;
    expect(rome!.attributes).toMatchObject({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'get_weather', 'gen_ai.tool.description': 'Weather for a city.' });
    expect(parentOf(rome!)).toBe(steps[0]);
    expect(ms(rome!.duration)).toBeGreaterThanOrEqual(15);
    expect(ms(rome!.startTime)).toBeGreaterThanOrEqual(ms(chats[0]!.endTime));
    expect(atlantis!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'no such city' });
    expect(atlantis!.attributes['error.type']).toBe('Error');
    expect(atlantis!.events.map((e) => e.name)).toEqual(['exception']);
    // Bad arguments never reach the tool: the span comes from the tool-result event.
    expect(oslo!.attributes).toMatchObject({ 'actkit.tool.traced_from': 'event', 'error.type': 'ToolInputError' });
    expect(oslo!.status.message).toMatch(/get_weather.*city/);
    // Failed tool calls are observations the model fixes, not failed steps.
    for (const step of steps) expect(step.status.code).toBe(SpanStatusCode.UNSET);
    const answer = one('execute_tool final_answer');
    expect(parentOf(answer)).toBe(steps[2]);
    expect(steps[2]!.attributes['actkit.step.final_answer']).toBe(true);
    expect(spans()).toHaveLength(1 + 3 + 3 + 3 + 1);
  });

  it('records prompts, completions and tool arguments only when asked', async () => {
    const run = async (recordContent: boolean) => {
      const { tracer, named, one } = setup();
      const model = new ScriptedModel([
        { text: 'Looking.', toolCalls: [{ name: 'get_weather', input: { city: 'Rome' } }] },
        { toolCalls: [{ name: 'get_weather', input: { town: 'Oslo' } }] },
        { toolCalls: [{ name: 'final_answer', input: { answer: 'warm' } }] },
      ]);
      await new ToolCallingAgent(withTracing({ model, tools: [weather], instructions: 'Be brief.' }, { tracer, recordContent })).run('Weather in Rome?');
      const [tool, badArguments] = named('execute_tool get_weather').map((s) => s.attributes);
      return { chat: named('chat scripted')[0]!.attributes, tool: tool!, badArguments: badArguments!, answer: one('execute_tool final_answer').attributes, run: one('invoke_agent ToolCallingAgent').attributes };
    };
    const off = await run(false);
    expect(Object.keys({ ...off.chat, ...off.tool, ...off.badArguments, ...off.answer, ...off.run }).filter((k) => /messages|instructions|arguments|result/.test(k))).toEqual([]);
    const on = await run(true);
    expect(JSON.parse(String(on.chat['gen_ai.input.messages']))).toEqual([{ role: 'user', parts: [{ type: 'text', content: expect.stringContaining('Weather in Rome?') }] }]);
    expect(String(on.chat['gen_ai.system_instructions'])).toContain('Be brief.');
    expect(JSON.parse(String(on.chat['gen_ai.output.messages']))).toEqual([
      { role: 'assistant', finish_reason: 'tool_calls', parts: [{ type: 'text', content: 'Looking.' }, { type: 'tool_call', id: expect.any(String), name: 'get_weather', arguments: '{"city":"Rome"}' }] },
    ]);
    expect(on.tool).toMatchObject({ 'gen_ai.tool.call.arguments': '{"city":"Rome"}', 'gen_ai.tool.call.result': '{"celsius":21}' });
    // Spans rebuilt from events carry content too: the rejected arguments as sent, final_answer's answer.
    expect(on.badArguments).toMatchObject({ 'actkit.tool.traced_from': 'event', 'gen_ai.tool.call.arguments': '{"town":"Oslo"}', 'error.type': 'ToolInputError' });
    expect(on.answer).toMatchObject({ 'actkit.tool.traced_from': 'event', 'gen_ai.tool.call.arguments': '{"answer":"warm"}' });
    expect(JSON.parse(String(on.run['gen_ai.output.messages']))[0].parts[0].content).toBe('warm');
  });

  it('traces streamed model calls with their usage and finish reason', async () => {
    const { tracer, one } = setup();
    const agent = new ToolCallingAgent(withTracing({ model: new ScriptedModel([{ text: 'Sure.', toolCalls: [{ name: 'final_answer', input: { answer: 'ok' } }], usage: { input: 12, output: 3 } }]) }, { tracer }));
    const stream = agent.stream('go');
    let text = '';
    for await (const e of stream) if (e.type === 'text-delta') text += e.delta;
    expect(text).toBe('Sure.');
    expect(one('chat scripted').attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 12, 'gen_ai.usage.output_tokens': 3, 'gen_ai.response.finish_reasons': ['tool_calls'] });
  });
});

describe('a CodeAgent run', () => {
  it('puts the tool calls of a code action under its span, and marks a failing action', async () => {
    const { tracer, named, one, parentOf } = setup();
    const executor = new LocalExecutor();
    try {
      const agent = new CodeAgent(
        withTracing(
          {
            model: new ScriptedModel(['<code>\nconst w = get_weather({ city: "Rome" });\nnull.boom;\n</code>', '<code>\nfinal_answer(get_weather({ city: "Rome" }).celsius)\n</code>']),
            tools: [weather],
            executor,
          },
          { tracer },
        ),
      );
      expect(agent.executor.modules).toEqual(executor.modules);
      expect((await agent.run('Rome?')).output).toBe(21);
    } finally {
      await executor.close();
    }
    const [failed, answered] = named('actkit.code_action');
    const steps = named('actkit.step');
    expect(parentOf(failed!)).toBe(steps[0]);
    expect(failed!.status.code).toBe(SpanStatusCode.ERROR);
    expect(failed!.attributes).toMatchObject({ 'actkit.code.error.kind': 'runtime', 'error.type': 'TypeError', 'actkit.code.lines': 2 });
    expect(answered!.status.code).toBe(SpanStatusCode.UNSET);
    const tools = named('execute_tool get_weather');
    expect(tools.map((t) => parentOf(t))).toEqual([failed, answered]);
    expect(one('invoke_agent CodeAgent').attributes['actkit.run.state']).toBe('success');
  });
});

describe('a synchronous tool', () => {
  it('is answered at once while its span records, so that a sandbox need not wait for it', async () => {
    const { tracer, one } = setup();
    const add = tool({ name: 'add', description: 'Adds.', input: z.object({ a: z.number(), b: z.number() }), synchronous: true, run: ({ a, b }) => a + b });
    const answers: Array<{ synchronous?: boolean; promise: boolean }> = [];
    // An executor that calls the tool as a sandbox does, noting whether the answer came at once.
    const executor: CodeExecutor = {
      async execute(_code, { tools }) {
        const sandboxAdd = tools.find((t) => t.name === 'add')!;
        const answer = sandboxAdd.call({ a: 2, b: 3 });
        answers.push({ synchronous: sandboxAdd.synchronous, promise: isPromiseLike(answer) });
        return { logs: '', durationMs: 0, finalAnswer: { value: await answer } };
      },
      async close() {},
    };
    const agent = new CodeAgent(withTracing({ model: new ScriptedModel(['<code>final_answer(add({ a: 2, b: 3 }))</code>']), tools: [add], executor }, { tracer }));
    expect((await agent.run('Add 2 and 3.')).output).toBe(5);
    expect(answers).toEqual([{ synchronous: true, promise: false }]);
    expect(one('execute_tool add').attributes['gen_ai.tool.name']).toBe('add');
  });
});

describe('runs that end badly', () => {
  it('ends every span of a run whose model call fails, with the error', async () => {
    const { tracer, one, parentOf } = setup();
    const failing = new ScriptedModel([{ error: new ModelCallError('HTTP 503 from the provider', { statusCode: 503 }) }]);
    const agent = new ToolCallingAgent(withTracing({ model: failing }, { tracer }));
    await expect(agent.run('go')).rejects.toThrow(ModelCallError);
    const chat = one('chat scripted');
    expect(chat.status).toEqual({ code: SpanStatusCode.ERROR, message: 'HTTP 503 from the provider' });
    expect(chat.attributes).toMatchObject({ 'error.type': 'ModelCallError', 'http.response.status_code': 503 });
    const step = parentOf(chat)!;
    const run = one('invoke_agent ToolCallingAgent');
    expect(parentOf(step)).toBe(run);
    for (const span of [step, run]) expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(run.attributes['error.type']).toBe('ModelCallError');
  });

  it('marks a run that hits its step limit', async () => {
    const { tracer, one } = setup();
    const model = new ScriptedModel([{ toolCalls: [{ name: 'get_weather', input: { city: 'Rome' } }] }, 'best guess: warm']);
    await new ToolCallingAgent(withTracing({ model, tools: [weather], maxSteps: 1 }, { tracer })).run('go');
    const run = one('invoke_agent ToolCallingAgent');
    expect(run.attributes['actkit.run.state']).toBe('max_steps');
    expect(run.status).toEqual({ code: SpanStatusCode.ERROR, message: 'The run ended: max_steps' });
  });
});

describe('nesting', () => {
  it("nests a run under the caller's span, and a managed agent's run under the tool call that started it", async () => {
    const { tracer, named, one, parentOf } = setup();
    const researcher = new ToolCallingAgent(
      withTracing(
        {
          name: 'researcher',
          description: 'Looks things up.',
          model: new ScriptedModel([{ toolCalls: [{ name: 'get_weather', input: { city: 'Rome' } }] }, { toolCalls: [{ name: 'final_answer', input: { answer: '21C' } }] }], { modelId: 'small' }),
          tools: [weather],
        },
        { tracer },
      ),
    );
    const manager = new ToolCallingAgent(
      withTracing(
        {
          name: 'manager',
          model: new ScriptedModel([{ toolCalls: [{ name: 'researcher', input: { task: 'Weather in Rome' } }] }, { toolCalls: [{ name: 'final_answer', input: { answer: 'It is 21C.' } }] }], { modelId: 'big' }),
          tools: [researcher.asTool()],
        },
        { tracer },
      ),
    );
    await tracer.startActiveSpan('handle request', async (request) => {
      await manager.run('How warm is Rome?');
      request.end();
    });
    const managerRun = one('invoke_agent manager');
    expect(parentOf(managerRun)!.name).toBe('handle request');
    const call = one('execute_tool researcher');
    const subRun = one('invoke_agent researcher');
    expect(parentOf(subRun)).toBe(call);
    expect(parentOf(parentOf(call)!)).toBe(managerRun);
    const subChat = named('chat small')[0]!;
    expect(parentOf(parentOf(subChat)!)).toBe(subRun);
    expect(subRun.spanContext().traceId).toBe(managerRun.spanContext().traceId);
  });

  it('traces a model used on its own under the active span', async () => {
    const { tracer, one, parentOf } = setup();
    const model = traceModel(new ScriptedModel(['hello'], { modelId: 'solo' }), { tracer });
    await tracer.startActiveSpan('job', async (job) => {
      await model.generate({ messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] });
      job.end();
    });
    expect(parentOf(one('chat solo'))!.name).toBe('job');
  });
});

describe('without a tracer provider', () => {
  const call: ModelCallOptions = { messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] };
  const sentinel = { model: null as Promise<unknown> | null, stream: null as unknown };
  const inner: Model = {
    provider: 'spy',
    modelId: 'spy',
    generate() {
      sentinel.model = Promise.resolve({ content: [{ type: 'text', text: 'x' }], finishReason: 'stop', usage: { inputTokens: {}, outputTokens: {} } });
      return sentinel.model as never;
    },
    stream() {
      sentinel.stream = (async function* () {})();
      return sentinel.stream as never;
    },
  };

  it('calls straight through: the same promise and stream come back, nothing is recorded', async () => {
    // No global provider: the API's no-op tracer.
    expect(trace.getTracerProvider().getTracer('x').startSpan('x').isRecording()).toBe(false);
    const model = traceModel(inner);
    expect(model.generate(call)).toBe(sentinel.model);
    expect(model.stream(call)).toBe(sentinel.stream);

    const agent = new ToolCallingAgent(withTracing({ model: new ScriptedModel([{ toolCalls: [{ name: 'get_weather', input: { city: 'Rome' } }] }, { toolCalls: [{ name: 'final_answer', input: { answer: 'x' } }] }]), tools: [weather] }));
    expect((await agent.run('go')).output).toBe('x');
  });

  it('records nothing for a run its sampler drops, down to the tool calls', async () => {
    const exporter = new InMemorySpanExporter();
    const tracer = new BasicTracerProvider({ sampler: new AlwaysOffSampler(), spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer('off');
    let started = 0;
    const counting = { ...tracer, startSpan: (...args: Parameters<typeof tracer.startSpan>) => (started++, tracer.startSpan(...args)) } as typeof tracer;
    const model = new ScriptedModel([{ toolCalls: [{ name: 'get_weather', input: { city: 'Rome' } }] }, { toolCalls: [{ name: 'final_answer', input: { answer: 'x' } }] }]);
    await new ToolCallingAgent(withTracing({ model, tools: [weather] }, { tracer: counting })).run('go');
    expect(exporter.getFinishedSpans()).toEqual([]);
    expect(started).toBe(1); // the run's span, found unsampled; nothing under it was started
  });
});
