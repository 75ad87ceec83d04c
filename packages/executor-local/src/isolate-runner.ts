/**
 * The local executor's child-process host: a Node process started with `--no-node-snapshot`
 * (which isolated-vm needs on Node 20+), holding isolates for the executors of its parent. Each
 * executor has a channel (see child-host.ts); on each channel this speaks the runner protocol
 * of `@actkit/code-actions` — the Docker, E2B and Blaxel runners' protocol — so the parent drives
 * it with the shared `RunnerExecutor`. Tools stay in the parent.
 *
 * It starts lean: Node, isolated-vm and this file's few imports (the sandbox's prelude, not the
 * agent nor the compiler); the module bundler loads only for a channel that allows modules.
 */
import type { HostMessage } from '@actkit/code-actions';
import { LineSplitter, StopSwitch } from '@actkit/code-actions/sandbox';
import type { ChannelMessage, ChildHostMessage } from './child-host.js';
import { DEFAULT_MEMORY_LIMIT_MB, IsolateHost, type RemoteToolAnswer } from './isolate-sandbox.js';
import { tryLoadIsolatedVm } from './isolated-vm.js';
import type { ModuleBundle } from './modules.js';
import { disposeInAPause } from './pauses.js';
import { makeSpareNow, prepareSpare, takeSandbox } from './spare-sandboxes.js';

/**
 * Ends this process at once. `process.exit` would block in isolated-vm's thread-pool destructor,
 * which joins isolate threads that may be looping, or waiting on the parent that is gone: the
 * child would stay behind for good. Nothing here needs flushing — the parent is gone or done.
 */
const exitNow = (): never => {
  process.kill(process.pid, 'SIGKILL');
  // Not reached: SIGKILL cannot be caught.
  throw new Error('unreachable');
};

// The child exits with its parent. Its stdin is the parent's end of a pipe: it ends when the
// parent exits, is killed (any signal, SIGKILL included) or closes the last channel.
process.stdin.on('end', exitNow);
process.stdin.on('close', exitNow);
process.stdout.on('error', exitNow);
// A fallback for a pipe kept open by someone else: a parent that no longer exists.
const parentPid = process.ppid;
setInterval(() => {
  try {
    process.kill(parentPid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') exitNow();
  }
}, 1000).unref();

const hostLine = (message: ChildHostMessage) => process.stdout.write(`0 ${JSON.stringify(message)}\n`);

const load = tryLoadIsolatedVm();
if (!load.ok) {
  // The parent turns this into IsolatedVmUnavailableError, with the command that fixes it.
  hostLine({ type: 'host_failed', failures: load.failures });
  process.exit(1);
}
const ivm = load.ivm;
hostLine({ type: 'host_ready' });
// The first executor's sandbox (its heap limit is this script's argument), made at once while its
// first `run` is on its way (a pause first would leave it to that action to make, on the spot).
// 0: that executor's sandboxes need its modules bundled first; a usual one is made at a pause.
const firstMemoryLimitMb = process.argv[2] === undefined ? DEFAULT_MEMORY_LIMIT_MB : Number(process.argv[2]);
if (Number.isFinite(firstMemoryLimitMb) && firstMemoryLimitMb > 0) makeSpareNow(ivm, firstMemoryLimitMb);
else prepareSpare(ivm, DEFAULT_MEMORY_LIMIT_MB);

interface Channel {
  readonly send: (message: object) => void;
  readonly host: IsolateHost;
  memoryLimitMb: number;
  readonly pendingCalls: Map<number, (answer: RemoteToolAnswer) => void>;
  readonly cancels: Map<number, StopSwitch>;
}

const channels = new Map<number, Channel>();
/** How long a closed channel's idle isolate waits for a pause (after the one before it) before it is disposed of all the same. */
const CLOSED_CHANNEL_DISPOSAL_MS = 1000;
/** Closed channels' isolates that may wait at once; past it, the oldest is disposed of at once. */
const MAX_CLOSED_CHANNELS_PENDING = 4;
let nextCall = 0;

async function bundle(message: Extract<ChannelMessage, { type: 'open' }>): Promise<ModuleBundle[]> {
  if (message.modules.length === 0) return [];
  // The bundler lives in @actkit/code-actions (see modules.ts), an ES module: this script is
  // CommonJS (it starts sooner), so it is imported, not required, and only here.
  const { bundleModules } = await import('@actkit/code-actions');
  return bundleModules(message.modules, message.resolveFrom);
}

function open(id: number, message: Extract<ChannelMessage, { type: 'open' }>): void {
  const send = (reply: object) => process.stdout.write(`${id} ${JSON.stringify(reply)}\n`);
  const modules = bundle(message);
  const channel: Channel = {
    send,
    host: new IsolateHost(async () => takeSandbox(ivm, channel.memoryLimitMb, await modules)),
    memoryLimitMb: 0,
    pendingCalls: new Map(),
    cancels: new Map(),
  };
  channels.set(id, channel);
  // Ready once the modules are bundled: one that cannot be is this channel's failure. A channel
  // without modules is ready at once: the parent knows, and does not wait for the line.
  modules.then(
    () => message.modules.length > 0 && send({ type: 'ready', node: process.version }),
    (error: Error) => {
      channels.delete(id);
      send({ type: 'channel_failed', message: error.message });
    },
  );
}

async function run(channel: Channel, message: Extract<HostMessage, { type: 'run' }>): Promise<void> {
  // Another limit, or a clean slate asked for (another run's state is in this sandbox): a new sandbox.
  if (channel.memoryLimitMb !== message.memoryLimitMb || message.fresh === true) {
    channel.host.dispose();
    channel.memoryLimitMb = message.memoryLimitMb;
  }
  const cancel = new StopSwitch();
  channel.cancels.set(message.id, cancel);
  const outcome = await channel.host.run(
    message.request,
    {
      callTool: (name, input) =>
        new Promise<RemoteToolAnswer>((resolve) => {
          const callId = ++nextCall;
          channel.pendingCalls.set(callId, resolve);
          channel.send({ type: 'tool_call', id: message.id, callId, name, input });
        }),
      log: (text) => channel.send({ type: 'log', id: message.id, text }),
    },
    { timeoutMs: message.timeoutMs, signal: cancel },
  );
  channel.cancels.delete(message.id);
  if (outcome.type === 'done') channel.send({ type: 'done', id: message.id, outcome: outcome.outcomeJson });
  else channel.send({ type: 'failed', id: message.id, reason: outcome.type, ...(outcome.type === 'crash' ? { message: outcome.message } : {}) });
}

function receive(line: string): void {
  const space = line.indexOf(' ');
  if (space < 0) return;
  const id = Number(line.slice(0, space));
  const message = JSON.parse(line.slice(space + 1)) as HostMessage | ChannelMessage;
  if (message.type === 'open') {
    open(id, message);
    return;
  }
  const channel = channels.get(id);
  if (!channel) return;
  switch (message.type) {
    case 'run':
      void run(channel, message);
      break;
    case 'tool_result':
      // The parent says how long its tool took: the rest of the wait counts as the code's time.
      channel.pendingCalls.get(message.callId)?.({ reply: message.reply, toolMs: message.toolMs });
      channel.pendingCalls.delete(message.callId);
      break;
    case 'cancel':
      channel.cancels.get(message.id)?.stop();
      break;
    case 'close': {
      for (const cancel of channel.cancels.values()) cancel.stop();
      channels.delete(id);
      // Disposing of an isolate takes this thread for a millisecond or two, which the other
      // channels' next lines would wait for: it waits for a pause instead.
      disposeInAPause(channel.host, CLOSED_CHANNEL_DISPOSAL_MS, MAX_CLOSED_CHANNELS_PENDING);
      break;
    }
  }
}

// Lines from the parent. It is the host (trusted), and a line may be as long as the run's
// variables (tens of MB in many chunks), so no length cap; each chunk is searched once.
const lines = new LineSplitter(receive, { maxLineChars: Number.POSITIVE_INFINITY });
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => lines.push(chunk));
