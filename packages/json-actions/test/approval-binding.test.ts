import { ScriptedModel } from '@actkit/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AgentMemory, ApprovalError, type ApprovalRequest, ToolCallingAgent, tool } from '../src/index.js';

/** A refund tool that keeps what it did, and makes each call happen once by its idempotency key. */
function payments() {
  const done = new Map<string, number>();
  const keys: string[] = [];
  const refund = tool({
    name: 'refund',
    description: 'Refunds an amount in EUR.',
    input: z.object({ amount: z.number() }),
    needsApproval: true,
    run: ({ amount }, { idempotencyKey }) => {
      keys.push(idempotencyKey!);
      if (!done.has(idempotencyKey!)) done.set(idempotencyKey!, amount);
      return { refunded: amount, key: idempotencyKey };
    },
  });
  return { refund, done, keys };
}
const answer = (value: unknown) => ({ toolCalls: [{ name: 'final_answer', input: { answer: value } }] });

/** A run that stops awaiting approval of a refund of 80, and its memory as saved. */
async function paused() {
  const { refund } = payments();
  const agent = new ToolCallingAgent({
    model: new ScriptedModel([{ toolCalls: [{ name: 'refund', input: { amount: 80 }, id: 'call_1' }] }]),
    tools: [refund],
    approval: { defer: true },
  });
  const result = await agent.run('Refund 80.');
  expect(result.state).toBe('awaiting_approval');
  return { request: result.pendingApprovals![0]!, saved: JSON.stringify(agent.memory.toJSON()), runId: result.runId };
}

function resumeWith(saved: string, edit: (memory: any) => void = () => {}) {
  const memory = JSON.parse(saved);
  edit(memory);
  const tools = payments();
  const model = new ScriptedModel([answer('done')]);
  const agent = new ToolCallingAgent({ model, tools: [tools.refund], approval: { defer: true }, memory: AgentMemory.fromJSON(memory) });
  return { agent, tools, model };
}
const pendingRecord = (memory: any) => memory.steps.at(-1).toolCalls[0];

describe('approval decisions are bound to their request', () => {
  it('refuses a decision for a saved pending call that was changed: nothing runs', async () => {
    const { request, saved } = await paused();
    expect(request.id).toMatch(/^approval-1-call_1-[0-9a-f]{16}$/);
    const tampers: Array<(record: any) => void> = [
      (r) => {
        r.input = { amount: 5000 };
        r.pendingApproval.input = { amount: 5000 };
      },
      (r) => {
        r.toolCallId = 'call_2';
      },
    ];
    for (const tamper of tampers) {
      const { agent, tools } = resumeWith(saved, (m) => tamper(pendingRecord(m)));
      const error = await agent.resume({ [request.id]: true }).result.catch((e) => e);
      expect(error).toBeInstanceOf(ApprovalError);
      expect(error.message).toMatch(new RegExp(`is not the one request ${request.id} was made for: the saved record was changed\\. Nothing was run\\.`));
      expect(tools.keys).toEqual([]);
      // Memory is left as it was: the request is still pending.
      expect(agent.memory.actionSteps.at(-1)!.toolCalls[0]!.pendingApproval).toBeDefined();
    }
  });

  it('makes an unknown decision id an error to the caller, not a silent denial', async () => {
    const { request, saved } = await paused();
    const { agent, tools } = resumeWith(saved);
    const error = await agent.resume({ 'approval-1-call_1-0000000000000000': true }).result.catch((e) => e);
    expect(error).toBeInstanceOf(ApprovalError);
    expect(error.message).toBe(`No pending approval request has the id approval-1-call_1-0000000000000000 (the pending ones are ${request.id}). Nothing was run.`);
    expect(tools.keys).toEqual([]);
    // The same agent can still be resumed with the right id.
    const result = await agent.resume({ [request.id]: true }).result;
    expect(result.state).toBe('success');
    expect(tools.done.size).toBe(1);
    // An id when nothing is pending is an error too.
    const stray = await agent.resume({ [request.id]: true }).result.catch((e) => e);
    expect(stray).toBeInstanceOf(ApprovalError);
    expect(stray.message).toMatch(/no request is pending/);
    expect(tools.done.size).toBe(1);
    // No decision for a pending request still denies it (as documented).
    const undecided = resumeWith(saved);
    await undecided.agent.resume({}).result;
    expect(undecided.agent.memory.actionSteps[0]!.toolCalls[0]!.error?.message).toBe('Not approved: resume() was given no decision for it');
  });

  it('gives tools an idempotency key that is the same when one saved memory is resumed twice', async () => {
    const { request, saved, runId } = await paused();
    const first = resumeWith(saved);
    const second = resumeWith(saved);
    await first.agent.resume({ [request.id]: true }).result;
    await second.agent.resume({ [request.id]: true }).result;
    // At least once: both resumes ran the approved call, with one key a tool can deduplicate by.
    expect(first.tools.keys).toEqual([`${runId}/1/call_1`]);
    expect(second.tools.keys).toEqual(first.tools.keys);
    expect((request as ApprovalRequest).runId).toBe(runId);
  });

  it('gives calls without approval a key of run, step and call id', async () => {
    const keys: string[] = [];
    const note = tool({ name: 'note', description: 'Notes.', input: z.object({}), run: (_, { idempotencyKey }) => void keys.push(idempotencyKey!) });
    const agent = new ToolCallingAgent({ model: new ScriptedModel([{ toolCalls: [{ name: 'note', input: {}, id: 'c9' }] }, answer('ok')]), tools: [note] });
    const result = await agent.run('Note.');
    expect(keys).toEqual([`${result.runId}/1/c9`]);
  });
});
