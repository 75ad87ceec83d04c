import { CodeAgent } from '@actkit/code-actions';
import { combineHooks, tool } from '@actkit/core';
import { LocalExecutor } from '@actkit/executor-local';
import { ToolCallingAgent } from '@actkit/json-actions';
import { ScriptedModel } from '@actkit/testing';
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTracingHooks } from '../src/index.js';

const weather = tool({ name: 'get_weather', description: 'Weather.', input: z.object({ city: z.string() }), run: ({ city }) => (city === 'Atlantis' ? Promise.reject(new Error('no such city')) : { celsius: 21 }) });

function setup() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('test');
  const spans = () => exporter.getFinishedSpans();
  const parentOf = (span: ReadableSpan) => spans().find((s) => s.spanContext().spanId === span.parentSpanContext?.spanId);
  return { tracer, spans, parentOf };
}

describe('OpenTelemetry tracing', () => {
  it('builds the span tree of a ToolCallingAgent run with GenAI attributes', async () => {
    const { tracer, spans, parentOf } = setup();
    const agent = new ToolCallingAgent({
      name: 'weather_bot',
      model: new ScriptedModel(
        [
          { toolCalls: [{ name: 'get_weather', input: { city: 'Rome' } }, { name: 'get_weather', input: { city: 'Atlantis' } }], usage: { input: 100, output: 20 } },
          { toolCalls: [{ name: 'final_answer', input: { answer: '21' } }], usage: { input: 150, output: 10 } },
        ],
        { modelId: 'test-model' },
      ),
      tools: [weather],
      hooks: combineHooks(createTracingHooks({ tracer })),
    });
    await agent.run('Rome?');
    const names = spans().map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['invoke_agent weather_bot', 'actkit.step 1', 'chat test-model', 'execute_tool get_weather', 'actkit.step 2']));
    const run = spans().find((s) => s.name === 'invoke_agent weather_bot')!;
    expect(run.attributes).toMatchObject({ 'gen_ai.operation.name': 'invoke_agent', 'actkit.run.state': 'success', 'gen_ai.usage.input_tokens': 250, 'gen_ai.usage.output_tokens': 30 });
    const chats = spans().filter((s) => s.name === 'chat test-model');
    expect(chats[0]!.attributes).toMatchObject({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'test-model', 'gen_ai.provider.name': 'scripted', 'gen_ai.usage.input_tokens': 100, 'gen_ai.response.finish_reasons': ['tool-calls'] });
    expect(parentOf(chats[0]!)!.name).toBe('actkit.step 1');
    expect(parentOf(parentOf(chats[0]!)!)!.name).toBe('invoke_agent weather_bot');
    const tools = spans().filter((s) => s.name === 'execute_tool get_weather');
    expect(tools).toHaveLength(2);
    expect(tools.find((s) => s.status.code === 2)!.status.message).toMatch(/no such city/);
    expect(parentOf(tools[0]!)!.name).toBe('actkit.step 1');
  });

  it('traces code actions and their tool calls', async () => {
    const { tracer, spans, parentOf } = setup();
    const executor = new LocalExecutor();
    try {
      await new CodeAgent({
        model: new ScriptedModel(['<code>final_answer(get_weather({ city: "Rome" }).celsius)</code>']),
        tools: [weather],
        executor,
        hooks: createTracingHooks({ tracer }),
      }).run('Rome?');
    } finally {
      await executor.close();
    }
    const code = spans().find((s) => s.name === 'actkit.code_action')!;
    expect(parentOf(code)!.name).toBe('actkit.step 1');
    expect(spans().find((s) => s.name === 'execute_tool get_weather')).toBeDefined();
  });

  it('records nothing and costs nothing without a tracer provider', async () => {
    const agent = new ToolCallingAgent({
      model: new ScriptedModel([{ toolCalls: [{ name: 'final_answer', input: { answer: 'x' } }] }]),
      hooks: createTracingHooks(),
    });
    expect((await agent.run('go')).output).toBe('x');
  });
});
