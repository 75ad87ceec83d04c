/**
 * The local executor's child-process host: a Node process started with `--no-node-snapshot`
 * (which isolated-vm needs on Node 20+), holding isolates for the executors of its parent. Each
 * executor has a channel (see child-host.ts); on each channel this speaks the runner protocol
 * of `@actkit/code-actions` — the Docker, E2B and Blaxel runners' protocol — so the parent drives
 * it with the shared `RunnerExecutor`. Tools stay in the parent.
 */
import { createInterface } from 'node:readline';
import type { HostMessage } from '@actkit/code-actions';
import type { ChannelMessage } from './child-host.js';
import { IsolateHost, IsolateSandbox } from './isolate-sandbox.js';
import { loadIsolatedVm } from './isolated-vm.js';
import { bundleModules, type ModuleBundle } from './modules.js';

const ivm = loadIsolatedVm();

interface Channel {
  readonly send: (message: object) => void;
  readonly host: IsolateHost;
  memoryLimitMb: number;
  readonly pendingCalls: Map<number, (reply: string) => void>;
  readonly cancels: Map<number, AbortController>;
}

const channels = new Map<number, Channel>();
let nextCall = 0;

function open(id: number, message: Extract<ChannelMessage, { type: 'open' }>): void {
  const send = (reply: object) => process.stdout.write(`${id} ${JSON.stringify(reply)}\n`);
  const modules: Promise<ModuleBundle[]> = message.modules.length > 0 ? bundleModules(message.modules, message.resolveFrom) : Promise.resolve([]);
  const channel: Channel = {
    send,
    host: new IsolateHost(async () => IsolateSandbox.create(ivm, channel.memoryLimitMb, await modules)),
    memoryLimitMb: 0,
    pendingCalls: new Map(),
    cancels: new Map(),
  };
  channels.set(id, channel);
  // Ready once the modules are bundled: one that cannot be is this channel's failure.
  modules.then(
    () => send({ type: 'ready', node: process.version }),
    (error: Error) => {
      channels.delete(id);
      send({ type: 'channel_failed', message: error.message });
    },
  );
}

async function run(channel: Channel, message: Extract<HostMessage, { type: 'run' }>): Promise<void> {
  if (channel.memoryLimitMb !== message.memoryLimitMb) {
    channel.host.dispose();
    channel.memoryLimitMb = message.memoryLimitMb;
  }
  const cancel = new AbortController();
  channel.cancels.set(message.id, cancel);
  const outcome = await channel.host.run(
    message.request,
    {
      callTool: (name, input) =>
        new Promise<string>((resolve) => {
          const callId = ++nextCall;
          channel.pendingCalls.set(callId, resolve);
          channel.send({ type: 'tool_call', id: message.id, callId, name, input });
        }),
      log: (text) => channel.send({ type: 'log', id: message.id, text }),
    },
    { timeoutMs: message.timeoutMs, signal: cancel.signal },
  );
  channel.cancels.delete(message.id);
  if (outcome.type === 'done') channel.send({ type: 'done', id: message.id, outcome: outcome.outcomeJson });
  else channel.send({ type: 'failed', id: message.id, reason: outcome.type, ...(outcome.type === 'crash' ? { message: outcome.message } : {}) });
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const space = line.indexOf(' ');
  if (space < 0) return;
  const id = Number(line.slice(0, space));
  const message = JSON.parse(line.slice(space + 1)) as HostMessage | ChannelMessage;
  if (message.type === 'open') return open(id, message);
  const channel = channels.get(id);
  if (!channel) return;
  switch (message.type) {
    case 'run':
      void run(channel, message);
      break;
    case 'tool_result':
      channel.pendingCalls.get(message.callId)?.(message.reply);
      channel.pendingCalls.delete(message.callId);
      break;
    case 'cancel':
      channel.cancels.get(message.id)?.abort();
      break;
    case 'close':
      for (const cancel of channel.cancels.values()) cancel.abort();
      channel.host.dispose();
      channels.delete(id);
      break;
  }
});
// The parent went away, or closed its last channel: nothing left to serve.
process.stdin.on('end', () => process.exit(0));
