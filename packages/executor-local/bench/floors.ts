/**
 * What the machine and the libraries underneath cost, measured in the same run as actkit's
 * figures: the floors a design built on them cannot go below.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type ivmModule from 'isolated-vm';
import type { Ivm } from '../src/isolated-vm.js';
import { median } from './workloads.js';

/** Wall time of a Node process started with `args` until it exits (median of `runs`). */
export async function nodeStartMs(args: string[], runs = 5): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, args, { stdio: 'ignore', env: { ...process.env, NODE_OPTIONS: '' } });
      child.once('error', reject);
      child.once('exit', () => resolve());
    });
    times.push(performance.now() - t0);
  }
  return median(times);
}

/** From spawning the built child-process runner to its first line (isolated-vm loaded), median of `runs`. */
export async function runnerReadyMs(script: string, runs = 5): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--no-node-snapshot', script], { stdio: ['pipe', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve) => child.stdout.setEncoding('utf8').once('data', (chunk: string) => resolve(chunk)));
    times.push(performance.now() - t0);
    if (!line.startsWith('0 {"type":"host_ready"}')) throw new Error(`bench: the runner said ${line}`);
    child.stdin.end();
    await new Promise((resolve) => child.once('exit', resolve));
  }
  return median(times);
}

/**
 * A line sent to a plain Node child and echoed back, `count` times one after another: two
 * process wake-ups through pipes, what any request to a child process costs at least.
 */
export async function pipeRoundTripMs(count = 5000): Promise<number> {
  const child = startEchoChild();
  let answered = 0;
  const t0 = await new Promise<number>((started) => {
    let start = 0;
    child.stdout.on('data', (chunk: string) => {
      answered += chunk.split('\n').length - 1;
      if (answered === 100) start = performance.now();
      if (answered < count + 100) child.stdin.write('{"type":"tool_result","id":1,"callId":1,"reply":"{\\"ok\\":true}"}\n');
      else started(start);
    });
    child.stdin.write('x\n');
  });
  const perTrip = (performance.now() - t0) / count;
  child.stdin.end();
  return perTrip;
}

/** A plain Node child that writes back every line it reads, and exits when its stdin ends. */
function startEchoChild() {
  const child = spawn(
    process.execPath,
    ['-e', "process.stdin.setEncoding('utf8').on('data', (c) => process.stdout.write(c)); process.stdin.on('end', () => process.exit())"],
    { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, NODE_OPTIONS: '' } },
  );
  child.stdout.setEncoding('utf8');
  return child;
}

/**
 * The thread hop and the pipe round trip again, in a process pinned to one core (`taskset`, on
 * Linux; where it cannot run, the reason why). Each crossing wakes a thread or process that sleeps;
 * on another core that wake-up is most of the cost. The scheduler keeps the two sides on one
 * core after a pause and spreads them out under back-to-back load, so an agent (a model call
 * before each action) sees figures between these and the usual ones.
 */
export async function oneCoreFloorsMs(): Promise<{ hop: number; pipeTrip: number } | { unavailable: string }> {
  if (process.platform !== 'linux') return { unavailable: `taskset is Linux's, this is ${process.platform}` };
  const script = fileURLToPath(new URL('./one-core.ts', import.meta.url));
  const child = spawn('taskset', ['-c', '0', process.execPath, ...process.execArgv, script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  const ended = await new Promise<{ code: number | null; error?: Error }>((resolve) => {
    child.once('error', (error) => resolve({ code: null, error }));
    child.once('exit', (code) => resolve({ code }));
  });
  if (ended.error) return { unavailable: `taskset could not run (${ended.error.message})` };
  if (ended.code !== 0) return { unavailable: `the pinned process exited with code ${ended.code}` };
  return JSON.parse(out.trim().split('\n').at(-1)!) as { hop: number; pipeTrip: number };
}

/** In `context`, the function every action-like call goes to: it takes a request text and answers its length (16). */
function requestLengthFunction(context: ivmModule.Context): ivmModule.Reference<(request: string) => Promise<number>> {
  return context.evalSync('(async (request) => request.length)', { reference: true });
}

/** An async `apply` of that function, as an action is started: its argument and result copied, its promise awaited. */
const callLikeAnAction = (action: ivmModule.Reference<(request: string) => Promise<number>>) =>
  action.apply(undefined, ['{"code":"1 + 1"}'], { arguments: { copy: true }, result: { promise: true, copy: true } });

/**
 * isolated-vm's own cost of a call from code in an isolate to the host: `applySync` from the
 * isolate's thread (the thread hop each way, the floor of an in-process tool call), and from the
 * host's thread when the isolate runs there (no hop; but then nothing else runs).
 * And of the call every action makes the other way: an async `apply` from the host of a function
 * returning a promise, its argument and result copied (`action`). Most of it is paid on the
 * calling thread before the hop (waking the isolate's thread, the promise's bookkeeping): an
 * `applyIgnored`, which hands nothing back, costs a tenth of it there.
 */
export async function isolatedVmCallMs(ivm: Ivm, count = 10_000): Promise<{ hop: number; sameThread: number; action: number }> {
  const isolate = new ivm.Isolate({ memoryLimit: 64 });
  const context = isolate.createContextSync();
  let calls = 0;
  context.global.setSync('syncHost', new ivm.Reference((s: string) => (calls++, s)));
  // One loop of calls, run on the isolate's thread (`hop`, an async apply) and on this one (`sameThread`).
  context.evalSync(`globalThis.callHost = (n) => { for (let i = 0; i < n; i++) syncHost.applySync(undefined, ['{"i":1}']); };`);
  const callHost = context.global.getSync('callHost', { reference: true });
  const action = requestLengthFunction(context);
  const actions = Math.ceil(count / 4);
  let answered = 0;
  const runActions = async () => {
    for (let i = 0; i < actions; i++) answered += await callLikeAnAction(action);
  };
  // Each measured once unmeasured first: a floor is what the calls cost warm, as actkit's figures are.
  await callHost.apply(undefined, [count]);
  callHost.applySync(undefined, [count]);
  await runActions();
  let t0 = performance.now();
  await callHost.apply(undefined, [count]);
  const hopMs = (performance.now() - t0) / count;
  t0 = performance.now();
  callHost.applySync(undefined, [count]);
  const sameThreadMs = (performance.now() - t0) / count;
  t0 = performance.now();
  await runActions();
  const actionMs = (performance.now() - t0) / actions;
  isolate.dispose();
  if (calls !== 4 * count) throw new Error(`bench: ${calls} host calls, expected ${4 * count}`);
  if (answered !== 2 * actions * 16) throw new Error(`bench: the isolate answered ${answered}, expected ${2 * actions * 16}`);
  return { hop: hopMs, sameThread: sameThreadMs, action: actionMs };
}

/**
 * What waking up costs: the first thing done after a pause (an agent's model call is one) is
 * slower than the same thing done again at once, on this machine far more than actkit's own
 * work. Measured after `pauseMs` of nothing, median of `runs`: a call into a warm isolate
 * (isolated-vm wakes its thread), a line to a plain Node child and back (the child's process
 * wakes), and plain Node compiling and running a fresh one-line function (only this thread).
 */
export async function afterPauseMs(ivm: Ivm, pauseMs: number, runs = 15): Promise<{ isolateCall: number; pipeTrip: number; plainNode: number }> {
  const isolate = new ivm.Isolate({ memoryLimit: 64 });
  const context = isolate.createContextSync();
  const action = requestLengthFunction(context);
  const callIsolate = () => callLikeAnAction(action);
  const child = startEchoChild();
  const trip = () => new Promise<string>((resolve) => {
    child.stdout.once('data', resolve);
    child.stdin.write('x\n');
  });
  const pause = () => new Promise((resolve) => setTimeout(resolve, pauseMs));
  const times = { isolateCall: [] as number[], pipeTrip: [] as number[], plainNode: [] as number[] };
  for (let i = 0; i < 50; i++) {
    await callIsolate();
    await trip();
  }
  for (let i = 0; i < runs; i++) {
    await pause();
    let t0 = performance.now();
    if ((await callIsolate()) !== 16) throw new Error('bench: the isolate did not answer');
    times.isolateCall.push(performance.now() - t0);
    await pause();
    t0 = performance.now();
    if ((await trip()) !== 'x\n') throw new Error('bench: the child did not echo the line');
    times.pipeTrip.push(performance.now() - t0);
    await pause();
    t0 = performance.now();
    if (new Function(`return 1 + 1 // ${Math.random()}`)() !== 2) throw new Error('bench: plain Node did not add');
    times.plainNode.push(performance.now() - t0);
  }
  child.stdin.end();
  isolate.dispose();
  return { isolateCall: median(times.isolateCall), pipeTrip: median(times.pipeTrip), plainNode: median(times.plainNode) };
}
