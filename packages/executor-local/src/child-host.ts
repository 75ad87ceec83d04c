import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import type { RemoteSandbox, RemoteSandboxProvider } from '@actkit/code-actions';

/**
 * The child Node process that hosts the isolates of the local executor's child-process mode,
 * started with `--no-node-snapshot` (which isolated-vm needs on Node 20+). One child serves every
 * executor of this process that shares its settings: each executor gets a channel, and each
 * channel speaks the runner protocol of `@actkit/code-actions` (the one the Docker, E2B and
 * Blaxel runners speak), so `RunnerExecutor` drives it unchanged. A line on the pipe is the
 * channel number, a space, and the protocol's JSON line. Tools stay in this process.
 *
 * The child lives while a channel is open. If it dies (an isolate's allocation can abort it),
 * every channel closes; each executor then opens a channel in a new child at its next action,
 * and tells the model the state was lost.
 */
export interface ChannelSettings {
  /** Pure-JS packages the channel's sandboxes may import, bundled in the child. */
  modules: readonly string[];
  resolveFrom: string;
}

/** Messages of the channel layer itself, next to the runner protocol's. */
export type ChannelMessage = { type: 'open'; modules: string[]; resolveFrom: string } | { type: 'close' };

interface Channel {
  onData?: (chunk: string) => void;
  readonly onClose: Array<(reason: string) => void>;
}

class ChildHost {
  readonly #child: ChildProcessByStdio<Writable, Readable, Readable>;
  readonly #channels = new Map<number, Channel>();
  readonly #exited: Promise<void>;
  #nextChannel = 0;
  #stdout = '';
  #stderr = '';
  /** Set once the child is going away: no new channel may open on it. */
  ending = false;

  constructor(script: string, execArgv: string[]) {
    this.#child = spawn(process.execPath, [...execArgv, script], { stdio: ['pipe', 'pipe', 'pipe'] });
    // An idle child does not keep this process alive (as in-process isolates do not): during an
    // action the protocol's own timers do. When this process exits, the child's stdin ends and it exits.
    this.#child.unref();
    for (const stream of [this.#child.stdin, this.#child.stdout, this.#child.stderr]) (stream as unknown as { unref?: () => void }).unref?.();
    this.#child.stdout.setEncoding('utf8');
    this.#child.stderr.setEncoding('utf8');
    this.#child.stdout.on('data', (chunk: string) => this.#receive(chunk));
    // Kept for the reason a crash gives (V8 prints why it aborted), not shown otherwise.
    this.#child.stderr.on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-4000);
    });
    // A write to a child that just died fails here; the exit handler reports it.
    this.#child.stdin.on('error', () => {});
    this.#exited = new Promise((resolve) => {
      this.#child.once('exit', (code, signal) => {
        this.ending = true;
        const why = signal ?? `code ${code}`;
        const detail = this.#stderr.split('\n').find((l) => /out of memory|fatal/i.test(l))?.trim();
        this.#closeAll(`the local child process exited (${why})${detail ? `: ${detail}` : ''}`);
        resolve();
      });
      this.#child.once('error', (error) => {
        this.ending = true;
        this.#closeAll(`the local child process failed: ${error.message}`);
        resolve();
      });
    });
  }

  open(settings: ChannelSettings): RemoteSandbox {
    const id = ++this.#nextChannel;
    const channel: Channel = { onClose: [] };
    this.#channels.set(id, channel);
    this.#write(id, { type: 'open', modules: [...settings.modules], resolveFrom: settings.resolveFrom } satisfies ChannelMessage);
    let closed = false;
    return {
      transport: {
        write: (line) => this.#writeLine(id, line),
        onData: (listener) => {
          channel.onData = listener;
        },
        onClose: (listener) => {
          channel.onClose.push(listener);
        },
      },
      kill: async () => {
        if (closed) return;
        closed = true;
        this.#channels.delete(id);
        if (this.#channels.size > 0) {
          this.#write(id, { type: 'close' } satisfies ChannelMessage);
          return;
        }
        // The last channel: the child has nothing left to do.
        this.ending = true;
        this.#child.stdin.end();
        const killer = setTimeout(() => this.#child.kill('SIGKILL'), 2000);
        await this.#exited;
        clearTimeout(killer);
      },
    };
  }

  #write(id: number, message: ChannelMessage): void {
    this.#writeLine(id, `${JSON.stringify(message)}\n`);
  }

  #writeLine(id: number, line: string): void {
    if (!this.ending && this.#child.stdin.writable) this.#child.stdin.write(`${id} ${line}`);
  }

  #receive(chunk: string): void {
    this.#stdout += chunk;
    let newline = this.#stdout.indexOf('\n');
    while (newline >= 0) {
      const line = this.#stdout.slice(0, newline);
      this.#stdout = this.#stdout.slice(newline + 1);
      newline = this.#stdout.indexOf('\n');
      const space = line.indexOf(' ');
      const channel = this.#channels.get(Number(line.slice(0, space)));
      if (!channel) continue;
      const body = line.slice(space + 1);
      // The child could not set the channel up (e.g. a module that does not bundle).
      if (body.startsWith('{"type":"channel_failed"')) {
        const { message } = JSON.parse(body) as { message: string };
        for (const listener of channel.onClose) listener(message);
      } else channel.onData?.(`${body}\n`);
    }
  }

  #closeAll(reason: string): void {
    for (const channel of this.#channels.values()) for (const listener of channel.onClose) listener(reason);
    this.#channels.clear();
  }
}

const hosts = new Map<string, ChildHost>();

/** Opens each sandbox as a channel of the child host shared by this process (a new one if none is running). */
export class ChildHostProvider implements RemoteSandboxProvider {
  readonly name = 'local child process';
  /** A channel of this provider closed without being asked to (its child died): the state it held is gone. */
  #stateLost = false;

  constructor(
    private readonly script: string,
    private readonly execArgv: string[],
    private readonly settings: ChannelSettings,
    /** A child of its own, not shared with other executors (a crash then takes only this executor's state). */
    private readonly own = false,
  ) {}

  async start(): Promise<RemoteSandbox> {
    let host: ChildHost;
    if (this.own) host = new ChildHost(this.script, this.execArgv);
    else {
      const key = JSON.stringify([this.script, this.execArgv]);
      host = hosts.get(key) ?? new ChildHost(this.script, this.execArgv);
      if (host.ending) host = new ChildHost(this.script, this.execArgv);
      hosts.set(key, host);
    }
    const sandbox = host.open(this.settings);
    sandbox.transport.onClose(() => {
      this.#stateLost = true;
    });
    return sandbox;
  }

  /**
   * Whether a channel was lost since the last call. The executor asks after each action: a child
   * that died while this executor was idle (another executor's code aborted it) otherwise goes
   * unnoticed, as the next action quietly opens a channel in a new child.
   */
  takeStateLost(): boolean {
    const lost = this.#stateLost;
    this.#stateLost = false;
    return lost;
  }
}
