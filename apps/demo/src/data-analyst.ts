import { type AgentHooks, CodeAgent, type Model, tool } from '@actkit/code-actions';
import { LocalExecutor } from '@actkit/executor-local';
import { ScriptedModel } from '@actkit/testing';
import { z } from 'zod';

/** The data analyst: a CodeAgent that pulls metrics and computes with them in one action. */

// Fourteen days of each metric, oldest first: the last seven are "this week".
const METRICS: Record<string, number[]> = {
  signups: [120, 132, 128, 140, 150, 98, 90, 135, 150, 149, 160, 171, 110, 105],
  revenue: [5400, 5600, 5550, 5900, 6100, 4300, 4100, 5500, 5650, 5600, 5950, 6200, 4350, 4200],
  churned: [12, 10, 11, 9, 13, 8, 7, 9, 8, 8, 7, 10, 6, 5],
};

const metricTool = (name: string, what: string) =>
  tool({
    name: `${name}_daily`,
    description: `Daily ${what} for the last N days, oldest first.`,
    input: z.object({ days: z.number().int().min(1).max(14).describe('How many days, at most 14') }),
    output: z.array(z.number()),
    run: ({ days }) => METRICS[name]!.slice(-days),
  });

export const analystTools = [
  metricTool('signups', 'new sign-ups'),
  metricTool('revenue', 'revenue in EUR'),
  metricTool('churned', 'churned customers'),
];

export const ANALYST_TASK =
  'Compute the week-over-week change of sign-ups, revenue and churn (this week vs last week), and flag every metric that moved by more than 10%.';
export const FIBONACCI_TASK = 'What is the 118th Fibonacci number? It must be exact.';

export function analystScript(): ScriptedModel {
  return new ScriptedModel(
    [
      `I will fetch 14 days of each metric and compare the sums of the two weeks in one action.
<code>
const names = ["signups", "revenue", "churned"];
const series = {
  signups: signups_daily({ days: 14 }),
  revenue: await revenue_daily({ days: 14 }),
  churned: churned_daily({ days: 14 }),
};
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const report = names.map((name) => {
  const last = sum(series[name].slice(0, 7));
  const current = sum(series[name].slice(7));
  const change = (current - last) / last;
  return { metric: name, lastWeek: last, thisWeek: current, change: \`\${(change * 100).toFixed(1)}%\`, flagged: Math.abs(change) > 0.1 };
});
console.table(report);
</code>`,
      `Sign-ups rose and churn fell by more than 10%; revenue barely moved. Reporting.
<code>
const flagged = report.filter((r) => r.flagged).map((r) => r.metric);
final_answer({ report, flagged });
</code>`,
      `The 118th Fibonacci number exceeds 2^53, so I use BigInt.
<code>
let [a, b] = [0n, 1n];
for (let i = 0; i < 118; i++) [a, b] = [b, a + b];
console.log(a.toString().length, "digits");
final_answer(a);
</code>`,
    ],
    { modelId: 'scripted-analyst', latencyMs: 150 },
  );
}

export function dataAnalyst(model: Model, executor = new LocalExecutor(), hooks?: AgentHooks): CodeAgent {
  return new CodeAgent({
    model,
    ...(hooks ? { hooks } : {}),
    name: 'data_analyst',
    tools: analystTools,
    executor,
    instructions: 'Be precise. Round percentages to one decimal.',
    maxSteps: 8,
  });
}
