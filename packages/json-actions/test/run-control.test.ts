import { ScriptedModel } from '@actkit/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  actionSteps,
  AgentMemory,
  hasToolCall,
  type RunEvent,
  stepCountIs,
  tokenBudget,
  ToolCallingAgent,
  tool,
} from '../src/index.js';

const refunds: number[] = [];
const refund = tool({
  name: 'refund',
  description: 'Refunds an amount in EUR.',
  input: z.object({ amount: z.number() }),
  needsApproval: ({ amount }) => amount > 50,
  run: ({ amount }) => {
    refunds.push(amount);
    return { refunded: amount };
  },
});
const lookup = tool({ name: 'lookup', description: 'Looks up an order.', input: z.object({ id: z.string() }), run: ({ id }) => ({ id, total: 80 }) });
const answer = (value: unknown) => ({ toolCalls: [{ name: 'final_answer', input: { answer: value } }] });

describe('approval (ToolCallingAgent)', () => {
  it('asks a decide callback; a denied call is an observation, other calls of the step run', async () => {
    refunds.length = 0;
    const model = new ScriptedModel([
      { toolCalls: [{ name: 'refund', input: { amount: 80 }, id: 'big' }, { name: 'refund', input: { amount: 10 }, id: 'small' }] },
      answer('Refunded 10; 80 needs a manager.'),
    ]);
    const agent = new ToolCallingAgent({ model, tools: [refund], approval: { decide: (r) => ({ approved: false, reason: `over the limit (${(r.input as { amount: number }).amount})` }) } });
    const result = await agent.run('Refund both.');
    expect(refunds).toEqual([10]);
    const [big, small] = actionSteps(result)[0]!.toolCalls;
    expect(big!.error?.message).toBe('Denied by the user: over the limit (80)');
    expect(small!.output).toEqual({ refunded: 10 });
    expect(JSON.stringify(model.calls[1]!.messages)).toContain('Denied by the user: over the limit (80)');
  });

  it('waits for a decision from the stream, while streaming', async () => {
    refunds.length = 0;
    const agent = new ToolCallingAgent({
      model: new ScriptedModel([{ toolCalls: [{ name: 'refund', input: { amount: 90 } }] }, answer('done')]),
      tools: [refund],
    });
    const stream = agent.stream('Refund 90.');
    const types: string[] = [];
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'approval-request') {
        expect(event.request).toMatchObject({ toolName: 'refund', input: { amount: 90 }, stepNumber: 1 });
        stream.respond(event.request.id, { approved: true });
      }
    }
    expect(refunds).toEqual([90]);
    expect(types.indexOf('approval-request')).toBeLessThan(types.indexOf('approval-decision'));
    expect((await stream.result).output).toBe('done');
  });

  it('times out a request nobody answers, as a denial', async () => {
    const agent = new ToolCallingAgent({
      model: new ScriptedModel([{ toolCalls: [{ name: 'refund', input: { amount: 90 } }] }, answer('gave up')]),
      tools: [refund],
      approval: { timeoutMs: 100 },
    });
    const result = await agent.run('Refund 90.');
    // Nobody denied it: the model is told so, with the limit as set (not rounded to "0 s").
    expect(actionSteps(result)[0]!.toolCalls[0]!.error?.message).toBe('Not approved: nobody decided within 100 ms');
  });

  it('defers: the run ends awaiting approval, serialises, and a new agent resumes it', async () => {
    refunds.length = 0;
    const first = new ToolCallingAgent({
      model: new ScriptedModel([{ toolCalls: [{ name: 'lookup', input: { id: 'A1' } }, { name: 'refund', input: { amount: 80 } }] }]),
      tools: [lookup, refund],
      approval: { defer: true },
    });
    const paused = await first.run('Refund order A1.');
    expect(paused.state).toBe('awaiting_approval');
    expect(paused.pendingApprovals).toEqual([expect.objectContaining({ toolName: 'refund', input: { amount: 80 } })]);
    expect(actionSteps(paused)[0]!.toolCalls[0]!.output).toEqual({ id: 'A1', total: 80 }); // other calls ran
    expect(refunds).toEqual([]);
    const saved = JSON.stringify({ memory: first.memory.toJSON(), pending: paused.pendingApprovals });

    // …the process stops; later, a new one resumes with the person's decision.
    const { memory, pending } = JSON.parse(saved);
    const model = new ScriptedModel([answer('Refunded 80 EUR.')]);
    const second = new ToolCallingAgent({ model, tools: [lookup, refund], approval: { defer: true }, memory: AgentMemory.fromJSON(memory) });
    const resumed = await second.resume({ [pending[0].id]: { approved: true } }).result;
    expect(refunds).toEqual([80]);
    expect(resumed.state).toBe('success');
    expect(resumed.output).toBe('Refunded 80 EUR.');
    expect(JSON.stringify(model.calls[0]!.messages)).toContain('"refunded":80');
  });
});

describe('stop conditions and loop guard', () => {
  it('stops on any condition, saying which', async () => {
    const loop = () => new ScriptedModel([{ toolCalls: [{ name: 'lookup', input: { id: 'A1' } }] }], { loop: true });
    const byTool = await new ToolCallingAgent({ model: loop(), tools: [lookup], stopWhen: hasToolCall('lookup') }).run('go');
    expect(byTool).toMatchObject({ state: 'stopped', stoppedBy: 'stop-condition', stopReason: 'tool lookup was called' });
    const bySteps = await new ToolCallingAgent({ model: loop(), tools: [lookup], stopWhen: [tokenBudget(1e9), stepCountIs(2)], loopGuard: false }).run('go');
    expect(bySteps.stopReason).toBe('step count reached 2');
    expect(actionSteps(bySteps)).toHaveLength(2);
    const byTokens = await new ToolCallingAgent({ model: loop(), tools: [lookup], stopWhen: tokenBudget(1) }).run('go');
    expect(byTokens.stopReason).toMatch(/token budget/);
  });

  it('nudges an agent repeating the same call, then stops it', async () => {
    const model = new ScriptedModel([{ toolCalls: [{ name: 'lookup', input: { id: 'A1' } }] }], { loop: true });
    const events: RunEvent[] = [];
    const stream = new ToolCallingAgent({ model, tools: [lookup], loopGuard: { nudgeAfter: 2, stopAfter: 4 } }).stream('go');
    for await (const e of stream) events.push(e);
    const result = await stream.result;
    expect(result).toMatchObject({ state: 'stopped', stoppedBy: 'loop-guard' });
    expect(actionSteps(result)).toHaveLength(4);
    expect(actionSteps(result)[1]!.error?.message).toMatch(/same arguments 2 times in a row/);
    expect(JSON.stringify(model.calls[2]!.messages)).toContain('same arguments 2 times');
  });
});
