import { hostname } from 'node:os';
import { PassThrough } from 'node:stream';
import { ExecutorError, type RemoteSandbox, type RemoteSandboxProvider, RUNNER_SOURCE } from '@actkit/code-actions';
import Docker from 'dockerode';
import { DEFAULT_ENGINE_TIMEOUT_MS, dockerFromEnvironment, engineAddress, engineCall } from './engine-call.js';

export interface DockerSandboxOptions {
  /** A dockerode client; default: from the environment (DOCKER_HOST, or the local socket). */
  docker?: Docker;
  /** Any image with `node` (18+) on its PATH (default "actkit-runner:latest", see the Dockerfile). */
  image?: string;
  /** The command that runs Node in the image (default "node"). */
  nodeCommand?: string;
  /** Container memory limit in MB (default 512). */
  containerMemoryMb?: number;
  /** CPUs the container may use (default 1). */
  cpus?: number;
  /** Most processes/threads in the container (default 64). */
  pidsLimit?: number;
  /** Size of the writable tmpfs at /tmp, in MB (default 64). */
  tmpfsMb?: number;
  /** Docker network mode (default "none": no network at all). */
  network?: string;
  /** User the runner runs as (default "65534:65534", nobody). */
  user?: string;
  /** Root filesystem read-only (default true). */
  readOnlyRootFs?: boolean;
  /** Environment variables for the runner (tools run on the host: secrets need not go here). */
  env?: Record<string, string>;
  /** Extra labels on every container. */
  labels?: Record<string, string>;
  /** Raw HostConfig fields that override the defaults above (e.g. a seccomp profile). */
  hostConfig?: Docker.HostConfig;
  /** Containers kept started and ready, so a new run does not wait for one (default 0). */
  poolSize?: number;
  /**
   * Heap limit in MB of the code's worker that each container starts ahead of the first action
   * (default 256; the executor's `memoryLimitMb`). An executor asking for another limit still
   * gets it, by a worker restart on its first action.
   */
  memoryLimitMb?: number;
  /**
   * How long one call to the Docker engine may take (create, attach, start, remove), in ms
   * (default 60 000). An engine that stops answering then fails the action with a clear error
   * instead of hanging it.
   */
  engineTimeoutMs?: number;
}

/** A started container: its transport, and whether its runner is still there. */
interface DockerSandbox extends RemoteSandbox {
  readonly gone: boolean;
}

/** The label every actkit container carries, and the ones that say who owns it. */
export const CONTAINER_LABEL = 'dev.actkit.executor';
const OWNER_PID = 'dev.actkit.owner-pid';
const OWNER_HOST = 'dev.actkit.owner-host';

/** Labels that tie a container to this process, so that `sweepOrphans` can tell when it is left over. */
export function ownerLabels(): Record<string, string> {
  return { [OWNER_PID]: String(process.pid), [OWNER_HOST]: hostname() };
}

/**
 * Starts locked-down containers running the actkit runner as their main process, with stdin
 * and stdout attached. A container ends when its runner's stdin closes — when the executor
 * closes it, or when this process dies — and Docker then removes it (`AutoRemove`).
 */
export class DockerSandboxProvider implements RemoteSandboxProvider {
  readonly name = 'docker';
  readonly docker: Docker;
  readonly options: DockerSandboxOptions;
  readonly #pool: Array<Promise<DockerSandbox>> = [];
  /** Aborted by `close()`: engine calls still pending (a wedged engine) stop waiting. */
  readonly #stop = new AbortController();
  #closed = false;

  constructor(options: DockerSandboxOptions = {}) {
    this.options = options;
    this.docker = options.docker ?? dockerFromEnvironment(Docker);
    void sweepOrphans(this.docker, false, options.engineTimeoutMs);
    for (let i = 0; i < (options.poolSize ?? 0); i++) this.#refill();
  }

  /** Starts a container (or takes a warm one); `signal` gives up on a start still waiting for the engine. */
  async start(signal?: AbortSignal): Promise<RemoteSandbox> {
    if (this.#closed) throw new ExecutorError('This Docker sandbox provider is closed.');
    // A warm container is taken for good (it will hold one executor's state), and replaced.
    for (let warm = this.#pool.shift(); warm; warm = this.#pool.shift()) {
      this.#refill();
      const sandbox = await warm.catch(() => undefined);
      if (sandbox && !sandbox.gone) return sandbox;
      if (!sandbox) break; // Starts are failing: a fresh attempt below says why.
      void sandbox.kill(); // It died while waiting (a daemon restart, a `docker rm`): try the next.
    }
    return this.#create(signal);
  }

  /** One engine call, bounded by the deadline and stopped by `close()` or the caller's signal. */
  #call<T>(what: string, signal: AbortSignal | undefined, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const stop = signal ? AbortSignal.any([this.#stop.signal, signal]) : this.#stop.signal;
    return engineCall(this.docker, what, { timeoutMs: this.options.engineTimeoutMs ?? DEFAULT_ENGINE_TIMEOUT_MS, stop }, call);
  }

  #refill(): void {
    if (this.#closed) return;
    const next = this.#create();
    next.catch(() => {});
    this.#pool.push(next);
  }

  async #create(signal?: AbortSignal): Promise<DockerSandbox> {
    const o = this.options;
    const image = o.image ?? 'actkit-runner:latest';
    let container: Docker.Container;
    // Removal is bounded too, but not stopped by `close()`: a container made must not be left behind.
    const remove = (c: Docker.Container) =>
      engineCall(this.docker, 'removing a container', { timeoutMs: o.engineTimeoutMs ?? DEFAULT_ENGINE_TIMEOUT_MS }, (abortSignal) =>
        c.remove({ force: true, abortSignal }),
      ).catch(() => {}); // Already gone (AutoRemove) is fine.
    try {
      container = await this.#call('creating a container', signal, (abortSignal) => this.docker.createContainer({
        abortSignal,
        Image: image,
        Cmd: [o.nodeCommand ?? 'node', '-e', RUNNER_SOURCE],
        User: o.user ?? '65534:65534',
        Env: [...Object.entries(o.env ?? {}).map(([k, v]) => `${k}=${v}`), `ACTKIT_WORKER_MEMORY_MB=${o.memoryLimitMb ?? 256}`],
        WorkingDir: '/tmp',
        OpenStdin: true,
        // The runner's stdin closes when the host's connection does (the host exited or crashed): it then
        // stops, and AutoRemove removes the container.
        StdinOnce: true,
        AttachStdin: true,
        AttachStdout: true,
        AttachStderr: true,
        Tty: false,
        Labels: { ...o.labels, [CONTAINER_LABEL]: 'docker', ...ownerLabels() },
        HostConfig: {
          AutoRemove: true,
          NetworkMode: o.network ?? 'none',
          ReadonlyRootfs: o.readOnlyRootFs ?? true,
          Tmpfs: { '/tmp': `rw,noexec,nosuid,mode=1777,${tmpfsOwner(o.user ?? '65534:65534')}size=${o.tmpfsMb ?? 64}m` },
          CapDrop: ['ALL'],
          SecurityOpt: ['no-new-privileges'],
          Memory: (o.containerMemoryMb ?? 512) * 1024 * 1024,
          MemorySwap: (o.containerMemoryMb ?? 512) * 1024 * 1024,
          NanoCpus: Math.round((o.cpus ?? 1) * 1e9),
          PidsLimit: o.pidsLimit ?? 64,
          ...o.hostConfig,
        },
      }));
    } catch (error) {
      if (error instanceof ExecutorError) throw error;
      const status = (error as { statusCode?: number }).statusCode;
      if (status === 404) {
        throw new ExecutorError(
          `Docker image "${image}" not found. Build it from the Dockerfile of @actkit/executor-docker, point \`image\` at any image with node, or build one offline with buildOfflineNodeImage().`,
          { cause: error },
        );
      }
      throw new ExecutorError(engineUnreachable(this.docker, error) ?? `Docker could not create a container: ${(error as Error).message}`, { cause: error });
    }
    let stream: NodeJS.ReadWriteStream & { destroy(): void; unref?(): void };
    try {
      stream = (await this.#call('attaching to a container', signal, (abortSignal) =>
        container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true, abortSignal }),
      )) as typeof stream;
    } catch (error) {
      await remove(container);
      if (error instanceof ExecutorError) throw error;
      throw new ExecutorError(`Docker could not attach to the container: ${(error as Error).message}`, { cause: error });
    }
    // The connection alone must not keep this process alive: a program that ends without closing
    // the executor then exits, the runner's stdin closes, and the container goes. While an action
    // runs, the protocol's own timers keep the process alive. (A socket has `unref`; an SSH
    // channel does not, and then keeps the process alive until `close()`.)
    stream.unref?.();
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let stderrText = '';
    stderr.on('data', (chunk: Buffer) => {
      stderrText = (stderrText + chunk.toString('utf8')).slice(-2000);
    });
    container.modem.demuxStream(stream, stdout, stderr);
    const closeListeners: Array<(reason: string) => void> = [];
    let gone = false;
    let goneReason = 'the container was removed';
    const markGone = (reason: string) => {
      if (gone) return;
      gone = true;
      goneReason = reason;
      for (const listener of closeListeners) listener(reason);
    };
    stream.on('end', () => markGone(`the container's runner stopped${stderrText ? `: ${stderrText.trim()}` : ''}`));
    stream.on('error', (error: Error) => markGone(`the container connection failed: ${error.message}`));
    try {
      await this.#call('starting a container', signal, (abortSignal) => container.start({ abortSignal }));
    } catch (error) {
      stream.destroy();
      await remove(container);
      if (error instanceof ExecutorError) throw error;
      const message = (error as Error).message;
      throw new ExecutorError(
        /executable file not found|no such file/i.test(message)
          ? `Docker image "${image}" has no \`${o.nodeCommand ?? 'node'}\` to run the actkit runner: use an image with Node.js 18+.`
          : `Docker could not start the container: ${message}`,
        { cause: error },
      );
    }
    let killed: Promise<void> | undefined;
    return {
      transport: {
        write: (line) => {
          if (!gone) stream.write(line);
        },
        onData: (listener) => stdout.on('data', listener),
        onClose: (listener) => {
          // A pool container may have died before anyone listened.
          if (gone) queueMicrotask(() => listener(goneReason));
          else closeListeners.push(listener);
        },
      },
      get gone() {
        return gone;
      },
      kill: () => {
        killed ??= (async () => {
          // An action still running learns at once that its runner is gone.
          markGone('the container was stopped');
          stream.destroy();
          await remove(container);
        })();
        return killed;
      },
    };
  }

  /** Removes the warm containers of the pool. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#stop.abort();
    const pool = this.#pool.splice(0);
    await Promise.all(pool.map((p) => p.then((s) => s.kill()).catch(() => {})));
  }
}

/** A clear message when the failure is that no engine answers at the endpoint (not an error of the engine itself). */
function engineUnreachable(docker: Docker, error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException).code;
  if (!code || !['ENOENT', 'ECONNREFUSED', 'EACCES', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'ECONNRESET'].includes(code)) return undefined;
  const where = engineAddress(docker);
  const hint = code === 'EACCES' ? 'this user may not use that socket (e.g. join the "docker" group)' : 'start dockerd (or `podman system service`), or point DOCKER_HOST at a running engine';
  return `No Docker engine answers at ${where} (${code}): ${hint}.`;
}

/** A tmpfs takes its root's mode from the image: owning it by the runner's user makes /tmp writable in any image. */
function tmpfsOwner(user: string): string {
  const ids = /^(\d+)(?::(\d+))?$/.exec(user);
  return ids ? `uid=${ids[1]},gid=${ids[2] ?? ids[1]},` : '';
}

let swept = false;

/**
 * Removes containers left by actkit processes of this host that are no longer alive (a crash
 * before AutoRemove could act, a daemon restart). Runs once per process.
 */
export async function sweepOrphans(docker: Docker = new Docker(), force = false, timeoutMs = DEFAULT_ENGINE_TIMEOUT_MS): Promise<string[]> {
  if (swept && !force) return [];
  swept = true;
  const removed: string[] = [];
  try {
    const containers = await engineCall(docker, 'listing containers', { timeoutMs }, (abortSignal) =>
      docker.listContainers({ all: true, filters: { label: [CONTAINER_LABEL] }, abortSignal }),
    );
    for (const info of containers) {
      const pid = Number(info.Labels[OWNER_PID]);
      if (info.Labels[OWNER_HOST] !== hostname() || !pid || isAlive(pid)) continue;
      await engineCall(docker, 'removing a container', { timeoutMs }, (abortSignal) => docker.getContainer(info.Id).remove({ force: true, abortSignal })).catch(() => {});
      removed.push(info.Id);
    }
  } catch {
    // No engine reachable: the executor reports that when it is used.
  }
  return removed;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
