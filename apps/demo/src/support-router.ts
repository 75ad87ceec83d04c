import { type AgentHooks, type Model, ToolCallingAgent, tool } from '@actkit/json-actions';
import { ScriptedModel } from '@actkit/testing';
import { z } from 'zod';

/** The support router: a ToolCallingAgent that looks things up, opens tickets and escalates. */

const orders: Record<string, { status: string; carrier: string; eta: string; charges: number }> = {
  A1027: { status: 'in transit', carrier: 'DHL', eta: '2026-11-27', charges: 2 },
  B2048: { status: 'delivered', carrier: 'UPS', eta: '2026-11-20', charges: 1 },
};

export const supportTools = (tickets: Array<Record<string, unknown>>) => [
  tool({
    name: 'check_order_status',
    description: 'Looks up an order: its shipping status, carrier, expected delivery date and how many times it was charged.',
    input: z.object({ orderId: z.string().regex(/^[A-Z]\d{4}$/).describe('Order id, e.g. "A1027"') }),
    run: ({ orderId }) => {
      const order = orders[orderId];
      if (!order) throw new Error(`No order ${orderId}.`);
      return { orderId, ...order };
    },
  }),
  tool({
    name: 'create_ticket',
    description: 'Opens a support ticket for a team.',
    input: z.object({
      team: z.enum(['shipping', 'billing', 'returns']),
      priority: z.enum(['low', 'normal', 'high']),
      summary: z.string().min(10).describe('One sentence the team can act on'),
    }),
    run: (ticket) => {
      const id = `T-${1000 + tickets.length + 1}`;
      tickets.push({ id, ...ticket });
      return { ticketId: id };
    },
  }),
  tool({
    name: 'escalate_to_human',
    description: 'Hands the conversation to a human agent, for money problems or angry customers.',
    input: z.object({ reason: z.string(), ticketId: z.string().optional() }),
    run: ({ reason, ticketId }) => ({ queued: true, position: 3, reason, ticketId }),
  }),
];

export const SUPPORT_TASK =
  'Customer message: "Where is my order A1027? It still has not arrived, and I was charged twice for it!"';

/** What a capable model does with the task, step by step (used when no real model is configured). */
export function supportScript(): ScriptedModel {
  return new ScriptedModel(
    [
      {
        text: 'Two problems: a late delivery and a double charge. I will look the order up first.',
        toolCalls: [{ name: 'check_order_status', input: { orderId: 'A1027' } }],
      },
      {
        text: 'The parcel is in transit, and it was indeed charged twice. Billing must refund, and a person should handle it.',
        toolCalls: [
          // A mistake on purpose: "urgent" is not a priority. The agent gets the error back and fixes it.
          { name: 'create_ticket', input: { team: 'billing', priority: 'urgent', summary: 'Order A1027 was charged twice; refund one charge.' } },
        ],
      },
      {
        text: 'Priority must be low, normal or high. Retrying with high, and escalating in the same step.',
        toolCalls: [
          { name: 'create_ticket', input: { team: 'billing', priority: 'high', summary: 'Order A1027 was charged twice; refund one charge.' } },
          { name: 'escalate_to_human', input: { reason: 'Double charge on order A1027.' } },
        ],
      },
      {
        toolCalls: [
          {
            name: 'final_answer',
            input: {
              answer:
                'Your order A1027 is on its way with DHL and should arrive on 27 November. You were charged twice: billing ticket T-1001 will refund one charge, and a colleague will contact you shortly.',
            },
          },
        ],
      },
    ],
    { modelId: 'scripted-support', latencyMs: 150 },
  );
}

export function supportRouter(model: Model, tickets: Array<Record<string, unknown>> = [], hooks?: AgentHooks): ToolCallingAgent {
  return new ToolCallingAgent({
    model,
    ...(hooks ? { hooks } : {}),
    name: 'support_router',
    tools: supportTools(tickets),
    instructions: 'You answer customers of an online shop. Check facts with the tools before you promise anything.',
    maxSteps: 8,
  });
}
