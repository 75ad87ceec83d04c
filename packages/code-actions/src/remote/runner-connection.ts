import { ExecutorError, formatMs, type SandboxTool } from '@actkit/core';
import { ActionClock } from '../sandbox/action-clock.js';
import { answerToolCall, CLOSED_DURING_ACTION, type SandboxRunOutcome, tellLogListener } from '../sandbox/host.js';
import { copyInLimit, sizedToolReply } from '../sandbox/copy-in-limit.js';
import { afterPendingIo } from './pending-io.js';
import { type HostMessage, LineSplitter, MAX_LINE_CHARS, parseRunnerLine, type RunnerMessage } from './protocol.js';

/** The two ends of a runner process, whatever carries them (docker attach, an SDK's process API, a pipe). */
export interface RunnerTransport {
  /** Sends one line (with its newline) to the runner's stdin. */
  write(line: string): void;
  /** Registers the receiver of the runner's stdout bytes. */
  onData(listener: (chunk: string | Uint8Array) => void): void;
  /** Registers a listener for the runner going away (process exit, connection closed). */
  onClose(listener: (reason: string) => void): void;
}

export interface RunOptions {
  tools: readonly SandboxTool[];
  timeoutMs: number;
  memoryLimitMb: number;
  /** What the code prints, as it prints it; a listener that throws is dropped (the run goes on). */
  onLog?: (text: string) => void;
  signal?: AbortSignal;
  /** Extra time the host waits beyond the runner's own limit before it gives up on the runner. */
  graceMs?: number;
  /** Run it in a new worker, with nothing of earlier actions (`ExecuteOptions.freshSandbox`). */
  fresh?: boolean;
}

/**
 * The host side of the runner protocol: runs actions over any transport, answers tool calls
 * with the host's tools, and turns every way a runner can fail (a malformed line, an exit
 * midway, silence past the time limit) into an outcome — never a hang.
 */
export class RunnerConnection {
  #nextId = 0;
  #closed: string | undefined;
  #ready: Promise<string>;
  #rejectReady: (error: Error) => void;
  #onMessage: ((message: RunnerMessage) => void) | undefined;
  #onClosed: ((reason: string) => void) | undefined;
  /** Closed by `close()`, the caller's doing: a running action ends as aborted, not as a crash. */
  #closedByCaller = false;

  constructor(
    private readonly transport: RunnerTransport,
    options: {
      readyTimeoutMs?: number;
      /** The longest line accepted from the runner (default 64 Mi characters): a sandbox must not exhaust the host's memory. */
      maxLineChars?: number;
    } = {},
  ) {
    let resolveReady!: (version: string) => void;
    let rejectReady!: (error: Error) => void;
    this.#ready = new Promise((resolve, reject) => {
      resolveReady = resolve;
      rejectReady = reject;
    });
    this.#ready.catch(() => {});
    const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
    const maxLineChars = options.maxLineChars ?? MAX_LINE_CHARS;
    const readyTimer = setTimeout(() => {
      rejectReady(new ExecutorError(`The sandbox runner did not start within ${readyTimeoutMs} ms.`));
      this.#fail('it did not start in time');
    }, readyTimeoutMs);
    this.#rejectReady = (error) => {
      clearTimeout(readyTimer);
      rejectReady(error);
    };
    const splitter = new LineSplitter(
      (line) => {
        if (this.#closed) return;
        let message: RunnerMessage;
        try {
          message = parseRunnerLine(line);
        } catch (error) {
          this.#fail(`protocol error: ${(error as Error).message}`);
          return;
        }
        if (message.type === 'ready') {
          clearTimeout(readyTimer);
          resolveReady(message.node ?? 'unknown');
        } else this.#onMessage?.(message);
      },
      {
        maxLineChars,
        onOverflow: () => this.#fail(`protocol error: the runner sent a line longer than ${maxLineChars} characters`),
      },
    );
    transport.onData((chunk) => splitter.push(chunk));
    transport.onClose((reason) => this.#fail(reason));
  }

  /** Resolves with the runner's Node version once it is ready; rejects with a clear error otherwise. */
  ready(): Promise<string> {
    return this.#ready;
  }

  get closed(): boolean {
    return this.#closed !== undefined;
  }

  /**
   * Ends the connection on the caller's side (the executor is closing): a running action ends at
   * once as aborted — also one waiting on a tool that never answers, or whose runner's answer
   * would come too late to be read. The transport is the caller's to close.
   */
  close(): void {
    if (this.#closed) return;
    this.#closedByCaller = true;
    this.#fail('the executor was closed');
  }

  /** The runner is unusable from now on: a start in progress fails, a running action ends as a crash. */
  #fail(reason: string): void {
    if (this.#closed) return;
    this.#closed = reason;
    // A no-op once ready: the promise has settled.
    this.#rejectReady(new ExecutorError(`The sandbox runner failed before it was ready: ${reason}`));
    this.#onClosed?.(reason);
  }

  #send(message: HostMessage): void {
    if (!this.#closed) this.transport.write(`${JSON.stringify(message)}\n`);
  }

  /** Runs one action request (ActionRequest JSON). Never rejects. */
  run(requestJson: string, options: RunOptions): Promise<SandboxRunOutcome> {
    if (this.#closed) return Promise.resolve({ type: 'crash', message: `the runner is gone (${this.#closed})` });
    const id = ++this.#nextId;
    const grace = options.graceMs ?? 5000;
    return new Promise<SandboxRunOutcome>((resolve) => {
      let settled = false;
      const settle = (outcome: SandboxRunOutcome) => {
        if (settled) return;
        settled = true;
        clock.stop();
        options.signal?.removeEventListener('abort', onAbort);
        this.#onMessage = undefined;
        this.#onClosed = undefined;
        resolve(outcome);
      };
      // A fallback for a runner that stops answering, or whose own limit fails; like that limit, it
      // does not count tool time. The runner's limit would have ended the action by now, so this is
      // the runner's failure, and the message says what it last did: a hang is told from slow code.
      let lastHeard = 'it said nothing after the action was sent';
      const clock = new ActionClock(options.timeoutMs + grace, () => {
        // A runner's last word may wait behind this timer (this process was busy): it goes first.
        void afterPendingIo().then(() => {
          if (settled) return;
          const reason = `the runner did not end the action within its time limit and ${formatMs(grace)} more: ${lastHeard}`;
          settle({ type: 'crash', message: reason });
          this.#fail(reason);
        });
      });
      const onAbort = () => this.#send({ type: 'cancel', id });
      this.#onClosed = (reason) => {
        if (!this.#closedByCaller) settle({ type: 'crash', message: reason });
        // Aborted already (its answer was on its way): as the caller asked; otherwise the close is why.
        else settle(options.signal?.aborted ? { type: 'aborted' } : { type: 'aborted', message: CLOSED_DURING_ACTION });
      };
      // One tool call at a time: the sandbox blocks on each. A second one before the answer means
      // the runner is not itself any more, and is dropped rather than served.
      let pendingCall = false;
      this.#onMessage = (message) => {
        if (!('id' in message) || message.id !== id) return;
        switch (message.type) {
          case 'log':
            lastHeard = 'the last it did was print';
            tellLogListener(options.onLog, message.text);
            break;
          case 'tool_call':
            if (pendingCall) {
              this.#fail('protocol error: the runner made a tool call while another was pending');
              return;
            }
            pendingCall = true;
            void (async () => {
              // Only the tool's own time is left out of the action's time, here and in the runner (it is told `toolMs`).
              const toolStart = performance.now();
              const reply = sizedToolReply(
                message.name,
                await clock.paused(async () => answerToolCall(options.tools, message.name, message.input)),
                copyInLimit(options.memoryLimitMb),
              );
              pendingCall = false;
              lastHeard = `the last it did was call ${message.name}, which was answered`;
              if (!settled) this.#send({ type: 'tool_result', id, callId: message.callId, reply, toolMs: performance.now() - toolStart });
            })();
            break;
          case 'done':
            settle({ type: 'done', outcomeJson: message.outcome, ...(message.stateLost ? { stateLost: true } : {}) });
            break;
          case 'failed':
            settle(message.reason === 'crash' ? { type: 'crash', message: message.message ?? 'the runner failed' } : { type: message.reason });
            break;
        }
      };
      if (options.signal?.aborted) return settle({ type: 'aborted' });
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.#send({ type: 'run', id, request: requestJson, timeoutMs: options.timeoutMs, memoryLimitMb: options.memoryLimitMb, ...(options.fresh ? { fresh: true } : {}) });
    });
  }
}
