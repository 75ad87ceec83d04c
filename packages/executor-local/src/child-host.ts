import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import type { RemoteSandbox, RemoteSandboxProvider } from '@actkit/code-actions';
import { LineSplitter } from '@actkit/code-actions/sandbox';
import { IsolatedVmUnavailableError } from './isolated-vm-unavailable.js';

/**
 * The child Node process that hosts the isolates of the local executor's child-process mode,
 * started with `--no-node-snapshot` (which isolated-vm needs on Node 20+). One child serves every
 * executor of this process that shares its settings: each executor gets a channel, and each
 * channel speaks the runner protocol of `@actkit/code-actions` (the one the Docker, E2B and
 * Blaxel runners speak), so `RunnerExecutor` drives it unchanged. A line on the pipe is the
 * channel number, a space, and the protocol's JSON line; channel 0 is the child itself, which
 * says once whether it could load isolated-vm. Tools stay in this process.
 *
 * The child lives while a channel is open or an executor has reserved it (started it early, at
 * construction). If it dies (an isolate's allocation can abort it), every channel closes; each
 * executor then opens a channel in a new child at its next action, and tells the model the state
 * was lost. It exits with this process (see isolate-runner.ts).
 */
export interface ChannelSettings {
  /** Pure-JS packages the channel's sandboxes may import, bundled in the child. */
  modules: readonly string[];
  resolveFrom: string;
  /** The isolates' heap limit: a child this channel starts makes its first sandbox with it (if no modules are allowed: theirs are bundled first). */
  memoryLimitMb: number;
}

/** Messages of the channel layer itself, next to the runner protocol's. */
export type ChannelMessage = { type: 'open'; modules: string[]; resolveFrom: string } | { type: 'close' };

/** What the child says on channel 0, once, when it has (or has not) loaded isolated-vm. */
export type ChildHostMessage = { type: 'host_ready' } | { type: 'host_failed'; failures: string[] };

interface Channel {
  onData?: (chunk: string) => void;
  /** Lines that came before anyone listened (the channel's `ready` can arrive with the child's own). */
  early?: string[];
  readonly onClose: Array<(reason: string) => void>;
  /** Why the channel closed, for a listener that comes later. */
  closedWith?: string;
}

function closeChannel(channel: Channel, reason: string): void {
  if (channel.closedWith !== undefined) return;
  channel.closedWith = reason;
  for (const listener of channel.onClose) listener(reason);
}

class ChildHost {
  readonly #child: ChildProcessByStdio<Writable, Readable, Readable>;
  readonly #channels = new Map<number, Channel>();
  readonly #exited: Promise<void>;
  #nextChannel = 0;
  /** The child's lines, split once for all channels; each channel's connection applies its own length cap. */
  readonly #lines = new LineSplitter((line) => this.#receiveLine(line), { maxLineChars: Number.POSITIVE_INFINITY });
  #stderr = '';
  /** Executors that started this child early and have not opened their channel yet. */
  #reservations = 0;
  /** Set once the child is going away: no new channel may open on it. */
  ending = false;
  /** Settles once the child has loaded isolated-vm; rejects with the reason it could not. */
  readonly started: Promise<void>;
  #settleStart!: (error?: Error) => void;

  /** `firstMemoryLimitMb`: the heap limit of the sandbox the child makes as soon as it is ready, for the first action (0: none). */
  constructor(script: string, execArgv: string[], firstMemoryLimitMb: number) {
    this.started = new Promise<void>((resolve, reject) => {
      this.#settleStart = (error) => (error ? reject(error) : resolve());
    });
    this.started.catch(() => {});
    // Its own process group: a Ctrl-C at the terminal is the host's to handle (stop the run,
    // close the executor), not a signal that kills the sandbox from under it.
    this.#child = spawn(process.execPath, [...execArgv, script, String(firstMemoryLimitMb)], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    // An idle child does not keep this process alive (as in-process isolates do not); a pending
    // action does (keep-alive.ts). When this process ends, the child's stdin ends and it exits.
    this.#child.unref();
    for (const stream of [this.#child.stdin, this.#child.stdout, this.#child.stderr]) (stream as unknown as { unref?: () => void }).unref?.();
    this.#child.stdout.setEncoding('utf8');
    this.#child.stderr.setEncoding('utf8');
    this.#child.stdout.on('data', (chunk: string) => this.#lines.push(chunk));
    // Kept for the reason a crash gives (V8 prints why it aborted, Node why a module did not load).
    this.#child.stderr.on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-8000);
    });
    // A write to a child that just died fails here; the exit handler reports it.
    this.#child.stdin.on('error', () => {});
    this.#exited = new Promise((resolve) => {
      this.#child.once('exit', (code, signal) => {
        const asked = this.ending;
        this.ending = true;
        const reason = `the local child process exited (${signal ?? `code ${code}`})${asked ? '' : this.#stderrDetail()}`;
        this.#settleStart(new Error(reason));
        this.#closeAll(reason);
        resolve();
      });
      this.#child.once('error', (error) => {
        this.ending = true;
        this.#settleStart(error);
        this.#closeAll(`the local child process failed: ${error.message}`);
        resolve();
      });
    });
  }

  /** What the child printed before it died, for the reason: why V8 aborted, or why Node could not start it. */
  #stderrDetail(): string {
    const lines = this.#stderr
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    if (lines.length === 0) return '';
    const fatal = lines.find((l) => /out of memory|fatal/i.test(l));
    const detail = fatal ?? lines.slice(-5).join(' | ');
    return `: ${detail.length > 1500 ? `${detail.slice(0, 1500)}…` : detail}`;
  }

  reserve(): void {
    this.#reservations++;
  }

  /** Gives a reservation back; a child nobody uses any more exits. */
  unreserve(): void {
    this.#reservations--;
    void this.#endIfUnused();
  }

  open(settings: ChannelSettings): RemoteSandbox {
    const id = ++this.#nextChannel;
    const channel: Channel = { onClose: [] };
    this.#channels.set(id, channel);
    this.#write(id, { type: 'open', modules: [...settings.modules], resolveFrom: settings.resolveFrom } satisfies ChannelMessage);
    // A channel with no modules to bundle cannot fail to open: it is ready once the child is, and
    // the child does not say so (a round trip less before a new executor's first action).
    if (settings.modules.length === 0) {
      this.started.then(
        () => this.#deliver(channel, `${JSON.stringify({ type: 'ready', node: process.version })}\n`),
        () => {},
      );
    }
    let closed = false;
    return {
      transport: {
        write: (line) => this.#writeLine(id, line),
        onData: (listener) => {
          channel.onData = listener;
          for (const line of channel.early?.splice(0) ?? []) listener(line);
        },
        onClose: (listener) => {
          channel.onClose.push(listener);
          if (channel.closedWith !== undefined) listener(channel.closedWith);
        },
      },
      kill: async () => {
        if (closed) return;
        closed = true;
        this.#channels.delete(id);
        if (this.#channels.size > 0 || this.#reservations > 0) {
          this.#write(id, { type: 'close' } satisfies ChannelMessage);
          return;
        }
        await this.#endIfUnused();
      },
    };
  }

  /** The last channel closed and nobody reserved the child: it has nothing left to do. */
  async #endIfUnused(): Promise<void> {
    if (this.#channels.size > 0 || this.#reservations > 0) return;
    if (!this.ending) {
      this.ending = true;
      this.#child.stdin.end();
    }
    // The caller awaiting close() stays alive until the child is gone, also once the killer has
    // fired on a child too slow to go (a busy machine): the ref'd child holds the process.
    this.#child.ref();
    const killer = setTimeout(() => this.#child.kill('SIGKILL'), 2000);
    await this.#exited;
    clearTimeout(killer);
  }

  #write(id: number, message: ChannelMessage): void {
    this.#writeLine(id, `${JSON.stringify(message)}\n`);
  }

  #writeLine(id: number, line: string): void {
    if (!this.ending && this.#child.stdin.writable) this.#child.stdin.write(`${id} ${line}`);
  }

  #receiveLine(line: string): void {
    const space = line.indexOf(' ');
    const id = Number(line.slice(0, space));
    const body = line.slice(space + 1);
    if (id === 0) {
      this.#receiveFromHost(body);
      return;
    }
    const channel = this.#channels.get(id);
    if (!channel) return;
    // The child could not set the channel up (e.g. a module that does not bundle).
    if (body.startsWith('{"type":"channel_failed"')) {
      closeChannel(channel, (JSON.parse(body) as { message: string }).message);
    } else this.#deliver(channel, `${body}\n`);
  }

  #deliver(channel: Channel, line: string): void {
    if (channel.closedWith !== undefined) return;
    if (channel.onData) channel.onData(line);
    else {
      channel.early ??= [];
      channel.early.push(line);
    }
  }

  #receiveFromHost(body: string): void {
    const message = JSON.parse(body) as ChildHostMessage;
    if (message.type === 'host_ready') this.#settleStart();
    else {
      const error = new IsolatedVmUnavailableError(message.failures);
      this.#settleStart(error);
      this.ending = true;
      this.#closeAll(error.message);
    }
  }

  #closeAll(reason: string): void {
    for (const channel of this.#channels.values()) closeChannel(channel, reason);
    this.#channels.clear();
  }
}

const hosts = new Map<string, ChildHost>();

/** Opens each sandbox as a channel of the child host shared by this process (a new one if none is running). */
export class ChildHostProvider implements RemoteSandboxProvider {
  readonly name = 'local child process';
  /** A channel of this provider closed without being asked to (its child died): the state it held is gone. */
  #stateLost = false;
  /** The child this executor started early, before its first action. */
  #reserved: ChildHost | undefined;

  constructor(
    private readonly script: string,
    private readonly execArgv: string[],
    private readonly settings: ChannelSettings,
    /** A child of its own, not shared with other executors (a crash then takes only this executor's state). */
    private readonly own = false,
  ) {}

  /** The sandbox a new child makes for this executor's first action: none when modules must be bundled for it first. */
  #firstMemoryLimitMb(): number {
    return this.settings.modules.length === 0 ? this.settings.memoryLimitMb : 0;
  }

  #host(): ChildHost {
    if (this.own) return new ChildHost(this.script, this.execArgv, this.#firstMemoryLimitMb());
    const key = JSON.stringify([this.script, this.execArgv]);
    let host = hosts.get(key);
    if (!host || host.ending) {
      host = new ChildHost(this.script, this.execArgv, this.#firstMemoryLimitMb());
      hosts.set(key, host);
    }
    return host;
  }

  /**
   * Starts the child now, so that it boots while the agent waits for the model's first reply
   * (a new Node process takes tens of milliseconds; a model call, hundreds).
   */
  prestart(): void {
    if (this.#reserved) return;
    this.#reserved = this.#host();
    this.#reserved.reserve();
  }

  /** Gives up the early start (the executor closed without running anything). */
  release(): void {
    const reserved = this.#reserved;
    this.#reserved = undefined;
    reserved?.unreserve();
  }

  async start(): Promise<RemoteSandbox> {
    const host = this.#reserved && !this.#reserved.ending ? this.#reserved : this.#host();
    const sandbox = host.open(this.settings);
    this.release();
    try {
      await host.started;
    } catch (error) {
      await sandbox.kill();
      // IsolatedVmUnavailableError as it is; RunnerExecutor words any other reason.
      throw error;
    }
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
