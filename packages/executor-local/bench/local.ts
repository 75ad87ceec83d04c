/**
 * The local executor's speed, in both modes, next to the budgets in DESIGN.md, plain Node, the
 * floors underneath (measured in the same run) and smolagents' LocalPythonExecutor. Run with
 * `pnpm bench`: it builds the package first, because the child-process mode — what a plain
 * `node` script gets — is measured in plain `node` processes running the built package
 * (child-mode.ts), as users run it; this process has --no-node-snapshot for the in-process mode.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import vm from 'node:vm';
import { LocalExecutor } from '../src/index.js';
import { DEFAULT_MEMORY_LIMIT_MB, IsolateSandbox } from '../src/isolate-sandbox.js';
import { discardSpares, spareState } from '../src/spare-sandboxes.js';
import { tryLoadIsolatedVm } from '../src/isolated-vm.js';
import { agentToolCallMs } from './agent-tool-call.js';
import { afterPauseMs, isolatedVmCallMs, nodeStartMs, oneCoreFloorsMs, pipeRoundTripMs, runnerReadyMs } from './floors.js';
import {
  afterModelCallWorkloadMs,
  countingEcho,
  expectValue,
  FRESH_EXECUTORS,
  firstActionMs,
  freshWorkloadMs,
  idle,
  MODEL_CALL_MS,
  median,
  SETTLING_RUNS,
  settledWorkloadMs,
  plainNodeToolCallMs,
  SMOLAGENTS_FIRST_ACTION_MS,
  toolCallMs,
  trivialActionMs,
  WARM_UP_ACTIONS,
  WARM_UP_ROUNDS,
  WORKLOADS,
} from './workloads.js';

const us = (ms: number) => `${(ms * 1000).toFixed(1)} µs`;
const msText = (ms: number) => (ms < 1 ? us(ms) : `${ms.toFixed(ms < 10 ? 2 : 1)} ms`);
const line = (label: string, value: string, budget?: string, met?: boolean) =>
  console.log(`  ${label.padEnd(56)} ${value.padStart(11)}${budget ? `   budget ${budget}: ${met ? 'met' : 'MISSED'}` : ''}`);
const note = (text: string) => console.log(`  ${''.padEnd(56)} ${text}`);
const heading = (text: string) => console.log(`\n${text}`);
const vsSmolagents = (ours: number, theirs: number) =>
  `smolagents ${msText(theirs)}: ${ours <= theirs ? `${(theirs / ours).toFixed(1)}× faster` : `${(ours / theirs).toFixed(1)}× SLOWER`}`;

const load = tryLoadIsolatedVm();
if (!load.ok) throw new Error(`bench: isolated-vm does not load: ${load.failures.join('; ')}`);
const plainNode = (code: string) => {
  // Plain Node running the same code from fresh source (a comment that changes each time keeps
  // V8's compilation cache, and the optimised code it holds, out of it), as a function's body.
  const source = `${code.replace(/\n([^\n]+)$/, '\nreturn $1')}\n// ${Math.random()}`;
  const t0 = performance.now();
  new Function('echo', source)((x: unknown) => x);
  return performance.now() - t0;
};

/** Plain Node on a workload's code: median of five runs from fresh source. */
const plainNodeMs = (code: string) => median(Array.from({ length: 5 }, () => plainNode(code)));

console.log(`local executor (${load.packageName}), Node ${process.version}, ${process.platform}-${process.arch}`);
console.log('smolagents LocalPythonExecutor, measured on this machine (issue 16): loop 10⁵ 242 ms, F(118) 1.27 ms,');
console.log('1000 tool calls 5.6 ms, trivial 0.44 ms, first action on a new executor 0.44 ms');
console.log(`Its workloads, as smolagents' were measured: a fresh executor runs one action, then the workload five times (the median);`);
console.log(`here on ${FRESH_EXECUTORS} fresh executors in turn (the median of their medians), each followed by the same on a warm executor.`);

// ══ child-process mode: what `new LocalExecutor()` gets in a plain `node` ═══════════════════════
heading('child-process mode (the default in a plain `node`): measured in plain `node` processes running dist/');
const here = fileURLToPath(new URL('.', import.meta.url));
const runChildBench = async (what: string) => {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', `${here}child-mode.ts`, what], {
    env: { ...process.env, NODE_OPTIONS: '' },
    maxBuffer: 1 << 24,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
};
const firsts: number[] = [];
for (let i = 0; i < 5; i++) firsts.push((await runChildBench('first')).firstResultMs);
const firstMs = median(firsts);
line('executor to first result (fresh process: the child boots)', msText(firstMs), '≤ 150 ms', firstMs <= 150);
// Before the executor is made, a user's script imports the package: timed in plain `node` as well.
const importTimes: number[] = [];
for (let i = 0; i < 5; i++) {
  const script = `const t0 = performance.now(); await import(${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)}); console.log(performance.now() - t0)`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '--eval', script], { env: { ...process.env, NODE_OPTIONS: '' } });
  importTimes.push(Number(stdout.trim()));
}
if (!importTimes.every((ms) => ms > 0)) throw new Error(`bench: the import was not timed (${importTimes.join(', ')})`);
note(`before it, the script's import of @actkit/executor-local: ${msText(median(importTimes))} (the TypeScript pass, sucrase, loads with the first code that needs it)`);
const [plainStart, noSnapshotStart, runnerReady] = [
  await nodeStartMs(['-e', '0']),
  await nodeStartMs(['--no-node-snapshot', '-e', '0']),
  await runnerReadyMs(fileURLToPath(new URL('../dist/runner/isolate-runner.cjs', import.meta.url))),
];
// The first action also needs a sandbox: the child makes it right after it says it is ready.
const firstSandbox: number[] = [];
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  IsolateSandbox.create(load.ivm, 128).dispose();
  firstSandbox.push(performance.now() - t0);
}
note(`floor: a Node process with --no-node-snapshot (isolated-vm needs it) starts and exits in ${msText(noSnapshotStart)}`);
note(`(${msText(plainStart)} with the snapshot); the runner is ready (isolated-vm loaded) ${msText(runnerReady)} after spawn;`);
note(`then its first sandbox (isolate, context, prelude) ${msText(median(firstSandbox))}: ${msText(runnerReady + median(firstSandbox))} before the action runs.`);
note('The executor starts its child at construction: an agent boots it during its first model call.');

const warm = await runChildBench('warm');
const pipeTrip = await pipeRoundTripMs();
const hops = await isolatedVmCallMs(load.ivm);
const woken = await afterPauseMs(load.ivm, MODEL_CALL_MS);
const oneCore = await oneCoreFloorsMs();
/** The same floors with every thread on one core: what of them is waking a thread on the other core. */
const onOneCore =
  'unavailable' in oneCore
    ? `(not measured on one core: ${oneCore.unavailable})`
    : `with every thread on one core (taskset): the hop ${us(oneCore.hop)}, the line to a child and back ${us(oneCore.pipeTrip)}`;
const childFloor = pipeTrip + hops.hop;
const actionFloor = pipeTrip + hops.action;
line('trivial code action, warm', msText(warm.trivialMs), '≤ 0.3 ms', warm.trivialMs <= 0.3);
note(`(after ${WARM_UP_ACTIONS} actions; the first 300, before the JIT warmed: ${msText(warm.coldTrivialMs)}); plain Node, fresh source: ${msText(plainNodeMs('1 + 1'))}`);
note(`floor: a line to the child and back ${us(pipeTrip)} + isolated-vm's async call into the isolate and back ${us(hops.action)} = ${us(actionFloor)}`);
note("(the child's own work per action is little more than its two JSON lines and that call; the host's, compiling the code)");
line('tool call round trip (isolate → child → host → back)', msText(warm.toolCallMs), '≤ 30 µs', warm.toolCallMs <= 0.03);
note(`(after ${WARM_UP_ROUNDS} actions of 5000 calls; the first of them: ${us(warm.coldToolCallMs)} per call); plain Node, the tool awaited directly: ${us(await plainNodeToolCallMs(countingEcho(), 5000))}`);
note(`floor: a line to a plain Node child and back (two process wake-ups) ${us(pipeTrip)},`);
note(`plus isolated-vm's thread hop inside the child ${us(hops.hop)}: ${us(childFloor)} before any work of actkit's;`);
note(onOneCore);
note('Below it only with the isolate on the child\'s main thread, blocking on stdin for tool results: then one');
note('action at a time per child (a tool waiting on a person would stall every executor sharing it).');
line(
  `first action on a new executor (the shared child runs; ${MODEL_CALL_MS} ms model call)`,
  msText(warm.firstOnNewMs),
  `smolagents ${SMOLAGENTS_FIRST_ACTION_MS} ms`,
  warm.firstOnNewMs <= SMOLAGENTS_FIRST_ACTION_MS,
);
note(`the child's spare sandbox, made while idle; back to back, no spare: ${msText(warm.firstOnNewNoPauseMs)}`);
note(`the warm executor's trivial action after the same pause: ${msText(warm.warmAfterPauseMs)} (what waking up costs any action);`);
note(`floor: after such a pause, a line to a plain Node child and back ${msText(woken.pipeTrip)} + a call into a warm isolate ${msText(woken.isolateCall)} = ${msText(woken.pipeTrip + woken.isolateCall)}`);
for (const workload of WORKLOADS) {
  const ours = warm.workloads[workload.label] as number;
  line(workload.label, msText(ours), `smolagents ${msText(workload.smolagentsMs)}`, ours <= workload.smolagentsMs);
  note(`on the warm executor ${msText(warm.onWarmExecutor[workload.label])}; plain Node, fresh source: ${msText(plainNodeMs(workload.code))}; ${vsSmolagents(ours, workload.smolagentsMs)}`);
  if (workload.toolCalls) {
    note(`floor: ${workload.toolCalls} × ${us(childFloor)} (pipe round trip + thread hop) = ${msText(workload.toolCalls * childFloor)}`);
    note(`as a new agent's first action, after a ${MODEL_CALL_MS} ms model call (the child's spare sandbox, made and warmed up in the pause as far as it got): ${msText(warm.afterModelCallMs)}`);
  } else {
    note(`on the warm executor after ${SETTLING_RUNS} runs of the same code: ${msText(warm.settledOnWarmExecutor[workload.label])} (a new code's first runs take the host's compiler and the sandbox's path cold)`);
    if (ours > workload.smolagentsMs) note(`floor: an action's round trip when warm, a line to the child and back + a call into the isolate, ${us(actionFloor)}`);
  }
}
line('100 sandboxes in the shared child: created, each ran an action', msText(warm.hundredCreatedMs));
line('100 sandboxes alive: one tool-calling action each, at once', msText(warm.hundredUsedMs));

// ══ in-process mode: isolates in this process (started with --no-node-snapshot) ═══════════════
heading('in-process mode (this process has --no-node-snapshot)');
// A new executor's sandbox, as an agent gets it: made, then the model is called (the spare
// sandbox is made meanwhile), then its sandbox is asked for.
const ready: number[] = [];
const madeOnTheSpot: number[] = [];
for (let i = 0; i < 30; i++) {
  const executor = new LocalExecutor({ mode: 'in-process' });
  await idle(MODEL_CALL_MS);
  let t0 = performance.now();
  await executor.warmUp();
  ready.push(performance.now() - t0);
  await executor.close();
  t0 = performance.now();
  IsolateSandbox.create(load.ivm, 128).dispose();
  madeOnTheSpot.push(performance.now() - t0);
}
const readyMs = median(ready.slice(5));
line(`new sandbox ready (after a ${MODEL_CALL_MS} ms model call: the spare)`, msText(readyMs), '≤ 2 ms', readyMs <= 2);
note(`made on the spot (isolate, context, prelude): ${msText(median(madeOnTheSpot.slice(5)))}, most of it V8's new isolate`);

const executor = new LocalExecutor({ mode: 'in-process' });
const trivial = await trivialActionMs(executor);
line('trivial code action, warm', msText(trivial.warm), '≤ 100 µs', trivial.warm <= 0.1);
note(`(after ${WARM_UP_ACTIONS} actions; the first 300, before the JIT warmed: ${msText(trivial.cold)}); plain Node, fresh source: ${msText(plainNodeMs('1 + 1'))}`);
note(`floor: isolated-vm's async call into the isolate and back ${us(hops.action)}; the rest is compiling the code here and the prelude's work`);

// Two kinds of tool: an async one (the action runs on the isolate's thread, each call a hop each
// way), and one that says it is synchronous (the action runs on this thread, each call a plain call).
const echo = countingEcho();
const syncEcho = countingEcho('synchronous');
const CALLS = 10_000;
const toolCall = await toolCallMs(executor, echo, CALLS, 3);
line(`tool call, async tool (${CALLS} calls, the isolate's thread)`, msText(toolCall.warm), '≤ 10 µs', toolCall.warm <= 0.01);
note(`(after ${WARM_UP_ROUNDS} actions of ${CALLS} calls; the first of them: ${us(toolCall.cold)} per call); plain Node, the tool awaited directly: ${us(await plainNodeToolCallMs(countingEcho(), CALLS))}`);
note(`floor: isolated-vm's applySync from the isolate's thread (the thread hop each way) ${us(hops.hop)} per call;`);
note(onOneCore);
const syncToolCall = await toolCallMs(executor, syncEcho, CALLS, 3);
line(`tool call, synchronous tool (${CALLS} calls, this thread)`, msText(syncToolCall.warm), '≤ 10 µs', syncToolCall.warm <= 0.01);
note(`(after ${WARM_UP_ROUNDS} actions of ${CALLS} calls; the first of them: ${us(syncToolCall.cold)} per call); plain Node, the tool called directly: ${us(await plainNodeToolCallMs(countingEcho('synchronous'), CALLS))}`);
note(`floor: isolated-vm's applySync with the isolate on this thread ${us(hops.sameThread)} per call; this thread's event loop waits meanwhile`);
// The same calls made by a CodeAgent's actions, whose run always has an abort signal: with
// hostThread 'always' its synchronous tools' actions run on this thread all the same.
const agentAsync = await agentToolCallMs(new LocalExecutor({ mode: 'in-process' }), false);
const agentSync = await agentToolCallMs(new LocalExecutor({ mode: 'in-process', hostThread: 'always' }), true);
line("tool call in a CodeAgent's action, async tool", msText(agentAsync));
line("tool call in a CodeAgent's action, synchronous tool", msText(agentSync));
note(`(hostThread 'always'; each call also validated with zod, recorded in the step and streamed: ${us(agentSync - syncToolCall.warm)} more than the sandbox's call)`);

// CPU-bound actions against the same code in plain Node, from fresh source (a code action is
// code the process has never seen); the host-side compiler is warm, as in an agent process.
const { compileAction } = await import('@actkit/code-actions');
const cpu = {
  '10⁶-iteration loop': 'let s = 0;\nfor (let i = 0; i < 1e6; i++) s += i % 7;\ns',
  'sorting 10⁵ numbers': 'const a = Array.from({ length: 1e5 }, (_, i) => (i * 7919) % 100003);\na.sort((x, y) => x - y);\na[500]',
};
const expected = { '10⁶-iteration loop': String(new Function(`${cpu['10⁶-iteration loop'].replace(/\ns$/, '\nreturn s')}`)()) } as Record<string, string>;
for (const [label, code] of Object.entries(cpu)) {
  for (let i = 0; i < 2000; i++) await compileAction(code);
  const sandbox: number[] = [];
  const script: number[] = [];
  const fn: number[] = [];
  for (let i = 0; i < 26; i++) {
    const t0 = performance.now();
    const r = await executor.execute(code, { tools: [] });
    sandbox.push(performance.now() - t0);
    if (r.error) throw new Error(r.error.message);
    if (expected[label] !== undefined) expectValue(r, expected[label]!);
    const context = vm.createContext({});
    const scriptSource = `${code}\n// ${Math.random()}`;
    const s0 = performance.now();
    new vm.Script(scriptSource).runInContext(context);
    script.push(performance.now() - s0);
    fn.push(plainNode(code));
  }
  const [s, p, f] = [sandbox, script, fn].map((xs) => median(xs.slice(5))) as [number, number, number];
  line(`${label}: whole action`, msText(s), '≥ 0.8× plain Node', Math.min(p, f) / s >= 0.8);
  note(`plain Node, fresh source: as a script ${msText(p)} (${(p / s).toFixed(2)}×), in a function ${msText(f)} (${(f / s).toFixed(2)}×)`);
}

// Back to back, with the spares discarded: the isolate made on the spot.
const firstAction = await firstActionMs(
  () => new LocalExecutor({ mode: 'in-process' }),
  { noSpare: discardSpares, makeHurried: () => new LocalExecutor({ mode: 'in-process' }) },
  executor,
  20,
  5,
);
const firstOnNewMs = firstAction.onNew;
line(
  `first action on a new executor (${MODEL_CALL_MS} ms model call)`,
  msText(firstOnNewMs),
  `smolagents ${SMOLAGENTS_FIRST_ACTION_MS} ms`,
  firstOnNewMs <= SMOLAGENTS_FIRST_ACTION_MS,
);
note(`its spare sandbox, made while idle; back to back, no spare: ${msText(firstAction.onNewNoPause)}`);
note(`the warm executor's trivial action after the same pause: ${msText(firstAction.warmAfterPause)} (what waking up costs any action);`);
note(`floor: after such a pause, a call into a warm isolate ${msText(woken.isolateCall)}, and plain Node running a fresh one-liner ${msText(woken.plainNode)}`);
// A workload that calls tools runs with each kind of tool (smolagents' tools are plain Python
// functions, which answer at once); the others with the async echo at hand (they do not call it).
const runs = WORKLOADS.flatMap((workload) =>
  workload.toolCalls
    ? [
        { workload, tool: echo, label: `${workload.label}, async tool`, perCall: hops.hop, floor: "isolated-vm's thread hop" },
        { workload, tool: syncEcho, label: `${workload.label}, synchronous tool`, perCall: hops.sameThread, floor: "isolated-vm's applySync on this thread" },
      ]
    : [{ workload, tool: echo, label: workload.label, perCall: 0, floor: '' }],
);
for (const { workload, tool, label, perCall, floor } of runs) {
  const { fresh: ours, warm: onWarm } = await freshWorkloadMs(() => new LocalExecutor({ mode: 'in-process' }), executor, workload, tool);
  line(label, msText(ours), `smolagents ${msText(workload.smolagentsMs)}`, ours <= workload.smolagentsMs);
  note(`on the warm executor ${msText(onWarm)}; plain Node, fresh source: ${msText(plainNodeMs(workload.code))}; ${vsSmolagents(ours, workload.smolagentsMs)}`);
  if (!workload.toolCalls) {
    note(`on the warm executor after ${SETTLING_RUNS} runs of the same code: ${msText(await settledWorkloadMs(executor, workload, tool))} (a new code's first runs take the host's compiler and the sandbox's path cold)`);
    if (ours > workload.smolagentsMs) note(`floor: an action's call into the isolate and back ${us(hops.action)}; the rest is compiling the code here and the prelude's work`);
  } else {
    note(`floor: ${workload.toolCalls} × ${floor} ${us(perCall)} = ${msText(workload.toolCalls * perCall)}`);
    const afterModelCall = await afterModelCallWorkloadMs(() => new LocalExecutor({ mode: 'in-process' }), workload, tool, () => spareState(DEFAULT_MEMORY_LIMIT_MB) === 'ready');
    note(
      `as a new agent's first action, after a ${MODEL_CALL_MS} ms model call (its spare sandbox, its tool calls warmed up meanwhile: ` +
        `in ${afterModelCall.warmedUp} of ${FRESH_EXECUTORS} runs, all rounds): ${msText(afterModelCall.ms)}`,
    );
  }
}
await executor.close();

// Memory per idle sandbox, and 100 agents' sandboxes alive at once.
global.gc?.();
const before = process.memoryUsage().rss;
const many: LocalExecutor[] = [];
const m0 = performance.now();
for (let i = 0; i < 100; i++) {
  const e = new LocalExecutor({ mode: 'in-process' });
  await e.execute('const state = { ready: true, items: [1, 2, 3] }', { tools: [] });
  many.push(e);
}
const allReady = performance.now() - m0;
const after = process.memoryUsage().rss;
const u0 = performance.now();
const results = await Promise.all(many.map((e, i) => e.execute(`state.ready && echo({ i: ${i} }).i`, { tools: [echo.tool] })));
const allUsed = performance.now() - u0;
results.forEach((r, i) => expectValue(r, String(i)));
line('memory per idle sandbox (RSS)', `${((after - before) / 100 / 1024 / 1024).toFixed(2)} MB`);
line('100 sandboxes: created, each ran an action', msText(allReady));
line('100 sandboxes alive: one tool-calling action each, at once', msText(allUsed));
await Promise.all(many.map((e) => e.close()));

heading('Below the floors (what the MISSED rows above would take)');
for (const text of [
  '- An async tool\'s call in-process is isolated-vm\'s thread hop (printed above): the code waits for a promise the',
  '  host\'s event loop settles, so the isolate runs on a thread of its own, and running code cannot move to the',
  '  host\'s thread and back. Tools that say `synchronous: true` are answered on the host\'s thread (the synchronous',
  '  rows): the whole action runs there under isolated-vm\'s own timeout while the host\'s event loop waits.',
  '  On a fresh executor those rows stay above the warm executor\'s: a new isolate runs the prelude\'s call path',
  '  (the arguments\' serialiser, the tool wrapper) unoptimised for its first few thousand calls. A spare sandbox',
  '  warms that path up while it waits (the "new agent\'s first action" figures); back to back, there is no pause for it.',
  '- About half of a thread hop is waking the isolate\'s or the host\'s thread on the other core (the one-core figures',
  '  above); the scheduler keeps them on one core after a pause, so an agent, with a model call before each action,',
  '  pays less than the back-to-back rows. Nothing in Node sets a thread\'s core; pinning would cost parallelism.',
  '- In child-process mode every call and action also crosses the pipe twice (printed above). Only the in-process',
  '  mode (node --no-node-snapshot, or NODE_OPTIONS) or an in-process engine goes below it.',
  '- A fresh process cannot have its first result before Node with --no-node-snapshot has started (printed above):',
  '  the executor starts the child at construction, so an agent\'s first model call hides the boot.',
  '- A code\'s first runs (the smolagents rows take five) cost more than the same code after hundreds of runs (printed',
  '  as "after 300 runs"): the host\'s compiler meets new syntax and is optimised again, and the sandbox\'s path for',
  '  the names the code declares runs cold. An agent\'s process sees new code at every step, so its actions pay some of it.',
  '- A new executor\'s first action after a model call: its sandbox is ready and warmed, and most of what is left is',
  '  what any action pays after that pause (printed above: the warm executor\'s), waking the threads and processes it',
  '  crosses. The fresh-executor workloads compare with the warm executor, measured the same way.',
]) console.log(`  ${text}`);
