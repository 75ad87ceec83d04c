/**
 * Agent loop overhead per step, with a zero-latency scripted model: what the framework itself
 * costs between the model's reply and the next call (budget in DESIGN.md: ≤ 0.2 ms per step,
 * flat in run length). Every call is distinct (the loop guard never fires), and the bench checks
 * that the steps ran, the tool was called for each and the answer is right before it divides.
 */
import type { ModelCallOptions } from '@actkit/core';
import { ScriptedModel, type ScriptedReply } from '@actkit/testing';
import { z } from 'zod';
import { ToolCallingAgent, tool } from '../src/index.js';

const STEPS = 200;
const ROUNDS = 9;
const BUDGET_MS = 0.2;
/** Per-step cost is read around these steps (the median of the steps within ±WINDOW). */
const PROBES = [20, 200];
const WINDOW = 5;

/** One run of STEPS steps: STEPS − 1 distinct tool calls, then the sum as the final answer. Returns when each model call started. */
async function timedRun(): Promise<number[]> {
  let toolCalls = 0;
  const add = tool({
    name: 'add',
    description: 'Returns n.',
    input: z.object({ n: z.number() }),
    run: ({ n }) => {
      toolCalls++;
      return n;
    },
  });
  const callStarts: number[] = [];
  const expected = ((STEPS - 1) * STEPS) / 2;
  const reply = (_call: ModelCallOptions, index: number): ScriptedReply => {
    callStarts.push(performance.now());
    const usage = { input: 1, output: 1 };
    return index < STEPS - 1
      ? { toolCalls: [{ name: 'add', input: { n: index + 1 } }], usage }
      : { toolCalls: [{ name: 'final_answer', input: { answer: expected } }], usage };
  };
  const model = new ScriptedModel([reply], { loop: true });
  const agent = new ToolCallingAgent({ model, tools: [add], maxSteps: STEPS });
  const result = await agent.run('Add the numbers 1 to 199, one call each.');
  const steps = result.steps.filter((s) => s.type === 'action').length;
  if (result.state !== 'success' || steps !== STEPS || toolCalls !== STEPS - 1 || model.calls.length !== STEPS || result.output !== expected) {
    throw new Error(
      `bench run did not do the work: state ${result.state}, ${steps} steps, ${toolCalls} tool calls, ${model.calls.length} model calls, output ${JSON.stringify(result.output)} (expected success, ${STEPS}, ${STEPS - 1}, ${STEPS}, ${expected})`,
    );
  }
  return callStarts;
}

/** Baseline: the same model call and tool call with no agent around them (tiny prompt). */
async function bareStepCost(): Promise<number> {
  const model = new ScriptedModel([{ toolCalls: [{ name: 'add', input: { n: 1 } }], usage: { input: 1, output: 1 } }], { loop: true });
  const run = ({ n }: { n: number }) => n;
  const messages = [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'spin' }] }];
  let sum = 0;
  const t0 = performance.now();
  for (let i = 0; i < STEPS; i++) {
    const response = await model.generate({ messages });
    const call = response.content[0];
    if (call?.type !== 'tool-call') throw new Error('baseline: the scripted model returned no tool call');
    sum += run(JSON.parse(call.input));
  }
  const perCall = (performance.now() - t0) / STEPS;
  if (sum !== STEPS) throw new Error(`baseline: expected ${STEPS} tool calls to sum to ${STEPS}, got ${sum}`);
  return perCall;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
/** The time of step k: from its model call to the next one. */
const around = (starts: number[], step: number) => {
  const gaps: number[] = [];
  for (let k = Math.max(1, step - WINDOW); k <= Math.min(starts.length - 1, step + WINDOW); k++) gaps.push(starts[k]! - starts[k - 1]!);
  return median(gaps);
};

for (let i = 0; i < 2; i++) await timedRun(); // warm up
const perProbe = new Map<number, number[]>(PROBES.map((p) => [p, []]));
const bare: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const starts = await timedRun();
  for (const p of PROBES) perProbe.get(p)!.push(around(starts, p - 1));
  bare.push(await bareStepCost());
}
const baseline = median(bare);
console.log(`agent loop (ToolCallingAgent, scripted model, zero latency; ${STEPS}-step runs, ${STEPS - 1} distinct tool calls, checked)`);
console.log(`  baseline: model call + tool call, no agent  ${(baseline * 1000).toFixed(1)} µs per step`);
const figures: number[] = [];
for (const p of PROBES) {
  const perStep = median(perProbe.get(p)!);
  const overhead = perStep - baseline;
  figures.push(overhead);
  console.log(
    `  step ${String(p).padStart(3)}: ${(perStep * 1000).toFixed(1).padStart(6)} µs per step, loop overhead ${(overhead * 1000).toFixed(1).padStart(6)} µs   budget ${BUDGET_MS * 1000} µs → ${(overhead / BUDGET_MS).toFixed(2)}× ${overhead <= BUDGET_MS ? '(met)' : '(MISSED)'}`,
  );
}
const growth = figures.at(-1)! / figures[0]!;
console.log(`  step ${PROBES.at(-1)} costs ${growth.toFixed(2)}× step ${PROBES[0]} (flat in run length means ≈ 1×)`);
