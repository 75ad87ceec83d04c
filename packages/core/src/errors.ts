/**
 * Typed errors for the caller. Anything the model can fix (a bad tool call, a failing code
 * action, a malformed reply) is *not* an error here: it becomes an observation the model sees.
 * These are what is left: the run cannot go on without the caller.
 */
export class AgentError extends Error {
  override name = 'AgentError';
  /** A stable machine-readable code. */
  readonly code: string = 'agent_error';
}

/** The agent was set up wrongly (no model, duplicate tool names, …). */
export class AgentConfigError extends AgentError {
  override name = 'AgentConfigError';
  override readonly code = 'agent_config';
}

/** A model call failed after the adapter's own retries. */
export class ModelCallError extends AgentError {
  override name = 'ModelCallError';
  override readonly code: string = 'model_call';
  readonly statusCode: number | undefined;
  readonly retryable: boolean;
  /** The base URL that gave no answer (the connection failed), when the adapter said which. */
  readonly unreachable: string | undefined;
  constructor(message: string, options: { cause?: unknown; statusCode?: number; retryable?: boolean; unreachable?: string } = {}) {
    super(message, { cause: options.cause });
    this.statusCode = options.statusCode;
    this.retryable = options.retryable ?? false;
    this.unreachable = options.unreachable;
  }
}

/**
 * The provider limited the rate (HTTP 429) and retries did not help, or it asked for a wait longer
 * than the adapter may wait (`retryAfterMs`, when it said how long). Retryable, later.
 */
export class ModelRateLimitError extends ModelCallError {
  override name = 'ModelRateLimitError';
  override readonly code = 'model_rate_limit';
  readonly retryAfterMs: number | undefined;
  constructor(message: string, options: { cause?: unknown; retryAfterMs?: number | undefined } = {}) {
    super(message, { cause: options.cause, statusCode: 429, retryable: true });
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** A streamed reply broke off before it was complete. */
export class ModelStreamError extends ModelCallError {
  override name = 'ModelStreamError';
  override readonly code = 'model_stream';
}

/** The run was cancelled through its AbortSignal. */
export class AgentAbortedError extends AgentError {
  override name = 'AgentAbortedError';
  override readonly code = 'aborted';
  constructor(message = 'The run was aborted.', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The code executor itself failed (not the model's code): e.g. the sandbox could not be created. */
export class ExecutorError extends AgentError {
  override name = 'ExecutorError';
  override readonly code: string = 'executor';
}

/** Whether something thrown is an abort (ours, the DOM's, or an SDK's). */
export function isAbortError(error: unknown): boolean {
  return (
    error instanceof AgentAbortedError ||
    (error instanceof Error && (error.name === 'AbortError' || error.name === 'APIUserAbortError'))
  );
}

/** A plain-object form of an error, for memory, events and JSON. */
export interface SerializedError {
  name: string;
  message: string;
  code?: string;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) {
    const out: SerializedError = { name: error.name, message: error.message };
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') out.code = code;
    return out;
  }
  return { name: 'Error', message: typeof error === 'string' ? error : String(error) };
}

/**
 * A provider SDK's error as a typed actkit error. Adapters call this after the SDK's own
 * retries are spent; it reads only what every HTTP SDK has (an HTTP `status`, an abort), so
 * `core` still knows no vendor. `endpoint` (the base URL) is named when no answer came back.
 */
export function modelCallErrorFrom(error: unknown, label: string, endpoint?: string): AgentError {
  if (error instanceof AgentError) return error;
  if (isAbortError(error) || (error as Error)?.name === 'APIUserAbortError') {
    return new AgentAbortedError('The model call was aborted.', { cause: error });
  }
  const status = (error as { status?: unknown })?.status;
  const message = (error as Error)?.message ?? String(error);
  if (status === 429) {
    const retryAfterMs = retryAfterMsOf(error);
    return new ModelRateLimitError(`${label} failed with HTTP 429 (rate limited${retryAfterMs === undefined ? '' : `, retry after ${Math.ceil(retryAfterMs / 1000)} s`}): ${message}`, {
      cause: error,
      retryAfterMs,
    });
  }
  if (typeof status === 'number') {
    const retryable = status === 408 || status === 409 || status === 429 || status >= 500;
    // SDKs start their message with the status already ("401 Incorrect API key…").
    const detail = message.startsWith(`${status} `) ? message.slice(`${status} `.length) : message;
    return new ModelCallError(`${label} failed with HTTP ${status}: ${detail}`, { cause: error, statusCode: status, retryable });
  }
  // No status: the connection failed or timed out before an answer; say where it was going.
  return new ModelCallError(`${label} failed: ${message}${endpoint ? ` (${endpoint})` : ''}`, { cause: error, retryable: true, ...(endpoint ? { unreachable: endpoint } : {}) });
}

/** An error raised while reading a reply's stream: a broken or malformed stream is a `ModelStreamError`. */
export function streamError(error: unknown, label: string, endpoint?: string): AgentError {
  const typed = modelCallErrorFrom(error, label, endpoint);
  if (typed instanceof AgentAbortedError || typed instanceof ModelStreamError || typeof (error as { status?: unknown })?.status === 'number') {
    return typed;
  }
  // A malformed event will be malformed again; a connection that broke off may well hold next time.
  const malformed = error instanceof SyntaxError;
  const what = malformed ? 'sent a malformed stream event' : 'stream broke off';
  return new ModelStreamError(`${label} ${what}: ${(error as Error)?.message ?? error}`, { cause: error, retryable: !malformed });
}

/**
 * How long an HTTP error asks the client to wait (`retry-after-ms`, `retry-after` in seconds or as
 * a date), read from the `headers` the SDKs put on their errors; undefined when it does not say.
 */
export function retryAfterMsOf(error: unknown): number | undefined {
  const headers = (error as { headers?: unknown })?.headers;
  const get = (name: string): string | null | undefined =>
    headers instanceof Headers ? headers.get(name) : typeof headers === 'object' && headers ? (headers as Record<string, string>)[name] : undefined;
  const ms = Number.parseFloat(get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const after = get('retry-after');
  if (!after) return undefined;
  const seconds = Number.parseFloat(after);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(after);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
