/**
 * One agent, two runs at once — for both agents, on real parts (a CodeAgent on the local
 * executor): each run has its own approvals, abort and trace. Both runs stop at an approval
 * request at the same time (run one after another, the second request could not come before the
 * first was answered); one is approved and finishes, the other is aborted while it waits.
 */
import { CodeAgent } from '@actkit/code-actions';
import { type AgentStream, type ModelCallOptions, type RunEvent, tool } from '@actkit/core';
import { LocalExecutor } from '@actkit/executor-local';
import { ToolCallingAgent } from '@actkit/json-actions';
import { type ScriptedReply, ScriptedModel } from '@actkit/testing';
import { context, SpanStatusCode } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { withTracing } from '../src/index.js';

const contextManager = new AsyncLocalStorageContextManager();
beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
});
afterAll(() => {
  contextManager.disable();
  context.disable();
});

/** Which run a model call belongs to (its task names it), and how many replies that run has had. */
function whoAndWhen(call: ModelCallOptions): { who: 'A' | 'B'; turn: number } {
  const text = JSON.stringify(call.messages);
  return { who: text.includes('Refund order A') ? 'A' : 'B', turn: call.messages.filter((m) => m.role === 'assistant').length };
}

function refundTool(done: string[]) {
  return tool({
    name: 'refund',
    description: 'Refunds an order.',
    input: z.object({ order: z.string() }),
    needsApproval: true,
    run: ({ order }) => {
      done.push(order);
      return `refunded ${order}`;
    },
  });
}

/** Starts two runs, waits until both ask for approval, approves A and aborts B. */
async function approveOneAbortOther(start: (task: string, signal: AbortSignal) => AgentStream, respond: (id: string) => boolean) {
  const abortB = new AbortController();
  const streams = { A: start('Refund order A.', new AbortController().signal), B: start('Refund order B.', abortB.signal) };
  const events: Record<'A' | 'B', RunEvent[]> = { A: [], B: [] };
  let waiting = 0;
  let bothWaiting!: () => void;
  const both = new Promise<void>((resolve) => {
    bothWaiting = resolve;
  });
  const ids: Partial<Record<'A' | 'B', string>> = {};
  const drain = async (who: 'A' | 'B') => {
    for await (const event of streams[who]) {
      events[who].push(event);
      if (event.type === 'approval-request') {
        ids[who] = event.request.id;
        if (++waiting === 2) bothWaiting();
      }
    }
    return streams[who].result;
  };
  const results = Promise.all([drain('A'), drain('B')]);
  await both;
  expect(ids.A).not.toBe(ids.B);
  expect(respond(ids.A!)).toBe(true);
  abortB.abort();
  const [a, b] = await results;
  return { a, b, events, streams };
}

function traceOf(spans: ReadableSpan[], runId: string) {
  const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
  const run = spans.find((s) => s.name.startsWith('invoke_agent') && s.attributes['actkit.run.id'] === runId)!;
  /** The run span a span sits under. */
  const runOf = (span: ReadableSpan): ReadableSpan | undefined => {
    let at: ReadableSpan | undefined = span;
    while (at && !at.name.startsWith('invoke_agent')) at = at.parentSpanContext ? byId.get(at.parentSpanContext.spanId) : undefined;
    return at;
  };
  const under = spans.filter((s) => s !== run && runOf(s) === run);
  return { run, under };
}

function setup() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { tracer: provider.getTracer('test'), spans: () => exporter.getFinishedSpans() };
}

describe('two runs of one agent at once', () => {
  it('ToolCallingAgent: own approvals, one aborted, each traced apart', async () => {
    const { tracer, spans } = setup();
    const done: string[] = [];
    const reply: ScriptedReply = (call) => {
      const { who, turn } = whoAndWhen(call);
      return turn === 0
        ? { toolCalls: [{ name: 'refund', input: { order: who } }] }
        : { toolCalls: [{ name: 'final_answer', input: { answer: `${who} refunded` } }] };
    };
    const agent = new ToolCallingAgent(
      withTracing({ name: 'clerk', model: new ScriptedModel([reply], { loop: true }), tools: [refundTool(done)] }, { tracer }),
    );
    const { a, b, events } = await approveOneAbortOther(
      (task, signal) => agent.stream(task, { signal }),
      (id) => agent.respond(id, true),
    );
    expect(a).toMatchObject({ state: 'success', output: 'A refunded' });
    expect(b.state).toBe('aborted');
    expect(done).toEqual(['A']);
    expect(events.A.filter((e) => e.type === 'approval-decision')).toHaveLength(1);
    expect(events.B.some((e) => e.type === 'approval-decision' && e.decision.approved)).toBe(false);

    const traceA = traceOf(spans(), a.runId);
    const traceB = traceOf(spans(), b.runId);
    expect(traceA.run.attributes['actkit.run.state']).toBe('success');
    expect(traceB.run.status.code).toBe(SpanStatusCode.ERROR);
    // Each run's spans sit under its own run span: A has two steps, two model calls and its refund; B one of each.
    expect(traceA.under.map((s) => s.name).sort()).toEqual(
      ['actkit.step', 'actkit.step', 'chat scripted', 'chat scripted', 'execute_tool final_answer', 'execute_tool refund'].sort(),
    );
    expect(traceB.under.filter((s) => s.name === 'chat scripted')).toHaveLength(1);
    expect(traceB.under.filter((s) => s.name === 'actkit.step')).toHaveLength(1);
  });

  it('CodeAgent on the local executor: own approvals and sandboxes, one aborted, each traced apart', async () => {
    const { tracer, spans } = setup();
    const done: string[] = [];
    const reply: ScriptedReply = (call) => {
      const { who, turn } = whoAndWhen(call);
      // The first action leaves a global behind: with a sandbox per run, each run sees its own.
      return turn === 0
        ? `<code>\nglobalThis.mine = "${who}";\nconsole.log(refund({ order: "${who}" }));\n</code>`
        : '<code>\nfinal_answer(`${mine} refunded`);\n</code>';
    };
    const agent = new CodeAgent(
      withTracing(
        { name: 'coder', model: new ScriptedModel([reply], { loop: true }), tools: [refundTool(done)], executor: () => new LocalExecutor() },
        { tracer },
      ),
    );
    try {
      const { a, b, streams } = await approveOneAbortOther(
        (task, signal) => agent.stream(task, { signal }),
        (id) => agent.respond(id, true),
      );
      expect(a).toMatchObject({ state: 'success', output: 'A refunded' });
      expect(b.state).toBe('aborted');
      expect(done).toEqual(['A']);
      expect(streams.A.memory.actionSteps[0]!.observation).toContain('refunded A');
      expect(streams.B.memory.actionSteps[0]!.error?.name).toBe('AgentAbortedError');

      const traceA = traceOf(spans(), a.runId);
      const traceB = traceOf(spans(), b.runId);
      expect(traceA.run.attributes['actkit.run.state']).toBe('success');
      expect(traceB.run.status.code).toBe(SpanStatusCode.ERROR);
      // A's refund ran inside A's first code action, under A's run.
      const refund = traceA.under.find((s) => s.name === 'execute_tool refund')!;
      expect(refund).toBeDefined();
      const action = traceA.under.find((s) => s.spanContext().spanId === refund.parentSpanContext?.spanId)!;
      expect(action.name).toBe('actkit.code_action');
      expect(traceA.under.filter((s) => s.name === 'actkit.code_action')).toHaveLength(2);
      expect(traceB.under.some((s) => s.name === 'execute_tool refund')).toBe(false);
    } finally {
      await agent.close();
    }
  });
});
