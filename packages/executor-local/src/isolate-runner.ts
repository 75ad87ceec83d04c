/**
 * The local executor's child-process host: a Node process started with `--no-node-snapshot`
 * (which isolated-vm needs on Node 20+), holding the isolate and speaking the runner protocol
 * on stdin/stdout — the same protocol as the Docker, E2B and Blaxel runners, so the parent
 * drives it with the shared `RunnerExecutor`. Tools stay in the parent.
 */
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import type { HostMessage } from '@actkit/code-actions';
import type ivmModule from 'isolated-vm';
import { IsolateSandbox } from './isolate-sandbox.js';
import { bundleModules } from './modules.js';

const ivm = createRequire(import.meta.url)('isolated-vm') as typeof ivmModule;
const send = (message: object) => process.stdout.write(`${JSON.stringify(message)}\n`);

const setup = JSON.parse(process.argv[2] ?? '{}') as { modules?: string[]; resolveFrom?: string };
const modules = setup.modules?.length ? bundleModules(setup.modules, setup.resolveFrom ?? process.cwd()) : Promise.resolve([]);
let sandbox: IsolateSandbox | undefined;
let sandboxMemoryMb = 0;
let nextCall = 0;
const pendingCalls = new Map<number, (reply: string) => void>();
const cancels = new Map<number, AbortController>();

async function run(message: Extract<HostMessage, { type: 'run' }>): Promise<void> {
  if (!sandbox || sandbox.disposed || sandboxMemoryMb !== message.memoryLimitMb) {
    sandbox?.dispose();
    sandbox = IsolateSandbox.create(ivm, message.memoryLimitMb, await modules);
    sandboxMemoryMb = message.memoryLimitMb;
  }
  const cancel = new AbortController();
  cancels.set(message.id, cancel);
  const outcome = await sandbox.run(
    message.request,
    {
      callTool: (name, input) =>
        new Promise<string>((resolve) => {
          const callId = ++nextCall;
          pendingCalls.set(callId, resolve);
          send({ type: 'tool_call', id: message.id, callId, name, input });
        }),
      log: (text) => send({ type: 'log', id: message.id, text }),
    },
    { timeoutMs: message.timeoutMs, signal: cancel.signal },
  );
  cancels.delete(message.id);
  if (outcome.type === 'done') send({ type: 'done', id: message.id, outcome: outcome.outcomeJson });
  else send({ type: 'failed', id: message.id, reason: outcome.type, ...(outcome.type === 'crash' ? { message: outcome.message } : {}) });
}

createInterface({ input: process.stdin }).on('line', (line) => {
  if (!line.trim()) return;
  const message = JSON.parse(line) as HostMessage;
  if (message.type === 'run') void run(message);
  else if (message.type === 'tool_result') {
    pendingCalls.get(message.callId)?.(message.reply);
    pendingCalls.delete(message.callId);
  } else if (message.type === 'cancel') cancels.get(message.id)?.abort();
});
// The parent went away: nothing left to serve.
process.stdin.on('end', () => process.exit(0));
// Ready once the modules are bundled: a module that cannot load is reported as the runner's failure.
modules.then(
  () => send({ type: 'ready', node: process.version }),
  (error: Error) => {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  },
);
