// The agents every worker registers. They run offline on a scripted model; swap in
// `openai('gpt-4.1')` or `anthropic(...)` for a real one.
import type { AgentRegistry } from '@actkit/bullmq';
import { ToolCallingAgent } from '@actkit/json-actions';
import { ScriptedModel } from '@actkit/testing';
import { tool } from '@actkit/tools';
import { z } from 'zod';

const lookup = tool({
  name: 'lookup_order',
  description: 'Looks an order up.',
  input: z.object({ order: z.string() }),
  idempotent: true, // a read: safe to repeat if its worker dies mid-call
  run: async ({ order }) => ({ order, total: 80, paid: true }),
});

const refund = tool({
  name: 'refund',
  description: 'Refunds an order.',
  input: z.object({ order: z.string(), amount: z.number() }),
  needsApproval: ({ amount }) => amount > 50, // parks the run until someone approves
  run: async ({ order, amount }) => `refunded ${amount} on ${order}`,
});

export const agents: AgentRegistry = {
  support: () =>
    new ToolCallingAgent({
      tools: [lookup, refund],
      model: new ScriptedModel(
        [
          (call) => {
            const done = call.messages.filter((m) => m.role === 'tool').length;
            if (done === 0) return { toolCalls: [{ name: 'lookup_order', input: { order: 'A1' } }] };
            if (done === 1) return { toolCalls: [{ name: 'refund', input: { order: 'A1', amount: 80 } }] };
            return { toolCalls: [{ name: 'final_answer', input: { answer: 'Order A1 was refunded.' } }] };
          },
        ],
        { loop: true, latencyMs: 300 },
      ),
    }),
};
