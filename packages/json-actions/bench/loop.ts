/**
 * Agent loop overhead per step, with a zero-latency scripted model: what the framework itself
 * costs between the model's reply and the next call (budget in DESIGN.md: ≤ 0.2 ms per step).
 */
import { ScriptedModel } from '@actkit/testing';
import { z } from 'zod';
import { ToolCallingAgent, tool } from '../src/index.js';

const STEPS = 200;
const ROUNDS = 15;
const BUDGET_MS = 0.2;

const noop = tool({ name: 'noop', description: 'Does nothing.', input: z.object({ n: z.number() }), run: ({ n }) => n });

async function loopPerStep(): Promise<number> {
  const model = new ScriptedModel([{ toolCalls: [{ name: 'noop', input: { n: 1 } }] }], { loop: true });
  const agent = new ToolCallingAgent({ model, tools: [noop], maxSteps: STEPS });
  const t0 = performance.now();
  await agent.run('spin');
  return (performance.now() - t0) / (STEPS + 1);
}

async function modelAlonePerCall(): Promise<number> {
  const model = new ScriptedModel([{ toolCalls: [{ name: 'noop', input: { n: 1 } }] }], { loop: true });
  const messages = [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'spin' }] }];
  const t0 = performance.now();
  for (let i = 0; i < STEPS; i++) await model.generate({ messages });
  return (performance.now() - t0) / STEPS;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (let i = 0; i < 3; i++) await loopPerStep(); // warm up
const loop: number[] = [];
const bare: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  loop.push(await loopPerStep());
  bare.push(await modelAlonePerCall());
}
const perStep = median(loop);
const modelCost = median(bare);
const overhead = perStep - modelCost;
console.log('agent loop (ToolCallingAgent, scripted model, zero latency)');
console.log(`  per step, total           ${(perStep * 1000).toFixed(1)} µs`);
console.log(`  of which the model itself ${(modelCost * 1000).toFixed(1)} µs`);
console.log(
  `  loop overhead per step    ${(overhead * 1000).toFixed(1)} µs   budget ${BUDGET_MS * 1000} µs → ${(overhead / BUDGET_MS).toFixed(2)}× budget ${overhead <= BUDGET_MS ? '(met)' : '(MISSED)'}`,
);
console.log(`  note: step ${STEPS} re-renders ${STEPS} steps of memory into messages, so this grows with run length.`);
