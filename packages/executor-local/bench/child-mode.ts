/**
 * The child-process mode measured as users get it: this file runs in a plain `node` (no
 * --no-node-snapshot, so `new LocalExecutor()` picks the child-process mode) against the built
 * package (dist), whose child runs plain JavaScript. `local.ts` starts it and prints its figures.
 *
 *   first   — one fresh process: import, `new LocalExecutor()`, first result (the child boots)
 *   warm    — the warm figures, in one process
 */
import type * as Package from '../src/index.js';
import { afterModelCallWorkloadMs, countingEcho, expectValue, firstActionMs, freshWorkloadMs, settledWorkloadMs, toolCallMs, trivialActionMs, WORKLOADS } from './workloads.js';

const { LocalExecutor } = (await import(new URL('../dist/index.js', import.meta.url).href)) as typeof Package;
const report = (value: object) => console.log(JSON.stringify(value));

if (process.argv[2] === 'first') {
  const t0 = performance.now();
  const executor = new LocalExecutor();
  if (executor.mode !== 'child-process') throw new Error(`bench: expected the child-process mode, got ${executor.mode}`);
  const r = await executor.execute('const x = 1 + 1;\nx', { tools: [] });
  const firstResultMs = performance.now() - t0;
  expectValue(r, '2');
  report({ firstResultMs });
  await executor.close();
} else {
  const echo = countingEcho();
  const executor = new LocalExecutor();
  await executor.warmUp();

  // A warm trivial action: compile on the host, one round trip to the child and into the isolate.
  const trivial = await trivialActionMs(executor);
  // Tool calls one after another, each a round trip isolate → child → this process → back.
  const toolCall = await toolCallMs(executor, echo, 5000, 5);

  // A new executor while the shared child runs (a second agent): channel, isolate, first action.
  // Back to back, each with a memory limit of its own, for which the child has no spare.
  const firstAction = await firstActionMs(
    () => new LocalExecutor(),
    { noSpare: async () => {}, makeHurried: (round) => new LocalExecutor({ memoryLimitMb: 100 + round }) },
    executor,
    7,
    2,
  );

  // smolagents workloads on fresh executors, and the same work on the warm executor.
  const workloads: Record<string, number> = {};
  const onWarmExecutor: Record<string, number> = {};
  /** A workload without tool calls once its code has run many times on the warm executor: what its first runs cost above that is warming up to new code. */
  const settledOnWarmExecutor: Record<string, number> = {};
  let afterModelCallMs = 0;
  for (const workload of WORKLOADS) {
    const figures = await freshWorkloadMs(() => new LocalExecutor(), executor, workload, echo);
    workloads[workload.label] = figures.fresh;
    onWarmExecutor[workload.label] = figures.warm;
    if (workload.toolCalls) afterModelCallMs = (await afterModelCallWorkloadMs(() => new LocalExecutor(), workload, echo)).ms;
    else settledOnWarmExecutor[workload.label] = await settledWorkloadMs(executor, workload, echo);
  }

  // One child serves every executor of this process.
  const many: Package.LocalExecutor[] = [];
  let t0 = performance.now();
  for (let i = 0; i < 100; i++) {
    const e = new LocalExecutor();
    await e.execute('const state = { ready: true }', { tools: [] });
    many.push(e);
  }
  const hundredCreatedMs = performance.now() - t0;
  t0 = performance.now();
  const results = await Promise.all(many.map((e, i) => e.execute(`state.ready && echo({ i: ${i} }).i`, { tools: [echo.tool] })));
  const hundredUsedMs = performance.now() - t0;
  results.forEach((r, i) => expectValue(r, String(i)));
  await Promise.all(many.map((e) => e.close()));
  await executor.close();

  report({
    trivialMs: trivial.warm,
    coldTrivialMs: trivial.cold,
    toolCallMs: toolCall.warm,
    coldToolCallMs: toolCall.cold,
    firstOnNewMs: firstAction.onNew,
    firstOnNewNoPauseMs: firstAction.onNewNoPause,
    warmAfterPauseMs: firstAction.warmAfterPause,
    workloads,
    onWarmExecutor,
    settledOnWarmExecutor,
    afterModelCallMs,
    hundredCreatedMs,
    hundredUsedMs,
  });
}
