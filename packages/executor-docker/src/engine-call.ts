import { ExecutorError, formatMs } from '@actkit/code-actions';
import type Docker from 'dockerode';

/** How long one Docker engine call may take by default (create, attach, start, remove, list). */
export const DEFAULT_ENGINE_TIMEOUT_MS = 60_000;

/**
 * Runs one Docker engine call with a deadline and a stop signal. An engine that accepts the
 * connection and never answers (wedged, overloaded, a dead proxy in front of it) would otherwise
 * hang the call for good: the request is aborted (its socket freed) and the call fails with an
 * `ExecutorError` when the deadline passes, or at once when `stop` is aborted (the provider closed).
 *
 * The abort reaches dockerode only while the call is pending: a call that answered is never
 * aborted later (for `attach`, that would cut the container's stream).
 */
export async function engineCall<T>(
  docker: Docker,
  what: string,
  options: { timeoutMs: number; stop?: AbortSignal },
  call: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const { timeoutMs, stop } = options;
  if (stop?.aborted) throw closedError(what);
  const controller = new AbortController();
  let failed: (error: Error) => void = () => {};
  // Settles with the deadline or the stop, whichever comes first — even if the call ignored the signal.
  const interrupted = new Promise<never>((_, reject) => {
    failed = reject;
  });
  const timer = setTimeout(() => {
    failed(
      new ExecutorError(
        `The Docker engine at ${engineAddress(docker)} did not answer within ${formatMs(timeoutMs)} (${what}): it may be wedged or overloaded. Check \`docker info\`, or raise \`engineTimeoutMs\`.`,
      ),
    );
    controller.abort();
  }, timeoutMs);
  const onStop = () => {
    failed(closedError(what));
    controller.abort();
  };
  stop?.addEventListener('abort', onStop, { once: true });
  try {
    return await Promise.race([call(controller.signal), interrupted]);
  } finally {
    clearTimeout(timer);
    stop?.removeEventListener('abort', onStop);
  }
}

function closedError(what: string): ExecutorError {
  return new ExecutorError(`The Docker sandbox provider was closed while ${what}.`);
}

/** Where the client connects: the socket path, or the engine's URL. */
export function engineAddress(docker: Docker): string {
  const modem = docker.modem as { socketPath?: unknown; host?: string; port?: string | number; protocol?: string };
  return typeof modem.socketPath === 'string' ? modem.socketPath : `${modem.protocol ?? 'http'}://${modem.host}:${modem.port ?? ''}`;
}

/**
 * A dockerode client from the environment (DOCKER_HOST, DOCKER_TLS_VERIFY…), with a malformed
 * setting reported as an `ExecutorError` naming it rather than a raw error from inside dockerode.
 */
export function dockerFromEnvironment(DockerClass: typeof Docker): Docker {
  try {
    return new DockerClass();
  } catch (error) {
    const host = process.env.DOCKER_HOST;
    throw new ExecutorError(
      `Cannot connect to Docker as the environment says (DOCKER_HOST=${host === undefined ? '(unset)' : JSON.stringify(host)}): ${(error as Error).message}. Use e.g. unix:///var/run/docker.sock or tcp://host:2375, or pass your own \`docker\` client.`,
      { cause: error },
    );
  }
}
