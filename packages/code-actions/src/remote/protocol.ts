/**
 * The JSON-lines protocol between the host and a runner inside a remote sandbox (a container,
 * an E2B or Blaxel sandbox), over the runner process's stdin and stdout. One JSON object per
 * line. Tools stay on the host: the runner asks for each call and waits for the answer.
 *
 *   runner → host   {type:"ready", node}                                 once, at start
 *   host → runner   {type:"setup", modules}                              once, before the first run, if
 *                                                                        the code may import modules: their
 *                                                                        bundles, evaluated in every worker
 *   host → runner   {type:"run", id, request, timeoutMs, memoryLimitMb,  request: ActionRequest JSON; fresh: run it
 *                    fresh?}                                             in a new worker (no earlier state)
 *   runner → host   {type:"tool_call", id, callId, name, input}          input: JSON text
 *   host → runner   {type:"tool_result", id, callId, reply, toolMs}      reply: ToolReply JSON; toolMs: the
 *                                                                        time the host spent in the tool
 *   runner → host   {type:"log", id, text}                               console output, as it happens
 *   runner → host   {type:"done", id, outcome, stateLost?}               outcome: ActionOutcome JSON; stateLost:
 *                                                                        it ran in a fresh worker
 *   runner → host   {type:"failed", id, reason, message?}                reason: timeout | memory | aborted | crash
 *   host → runner   {type:"cancel", id}                                  stop the running action
 *
 * The runner measures the action's time limit itself, excluding the time the host spent in its
 * tools (a tool may be a whole sub-agent run, or a person approving a call) as the host reports
 * it in `toolMs`. The messages' way there and back counts as the code's time, on both sides: the
 * host's fallback deadline (the limit plus a grace) then never ends a runner that is still within
 * its own limit, however many calls the code makes. `failed` says why
 * the code was stopped; the runner's state is then gone (it starts a fresh worker), while
 * `done` covers every outcome of the code itself, errors included.
 */

export type HostMessage =
  | { type: 'setup'; modules: string }
  | { type: 'run'; id: number; request: string; timeoutMs: number; memoryLimitMb: number; fresh?: boolean }
  | { type: 'tool_result'; id: number; callId: number; reply: string; toolMs: number }
  | { type: 'cancel'; id: number };

export type RunnerMessage =
  | { type: 'ready'; node?: string }
  | { type: 'tool_call'; id: number; callId: number; name: string; input: string }
  | { type: 'log'; id: number; text: string }
  | { type: 'done'; id: number; outcome: string; stateLost?: boolean }
  | { type: 'failed'; id: number; reason: 'timeout' | 'memory' | 'aborted' | 'crash'; message?: string };

type Field = 'string' | 'number' | 'string?' | 'boolean?';
/** The fields each runner message must have, by type: the runner runs beside code that may have taken it over. */
const RUNNER_MESSAGE_FIELDS: Record<RunnerMessage['type'], Record<string, Field>> = {
  ready: { node: 'string?' },
  tool_call: { id: 'number', callId: 'number', name: 'string', input: 'string' },
  log: { id: 'number', text: 'string' },
  done: { id: 'number', outcome: 'string', stateLost: 'boolean?' },
  failed: { id: 'number', reason: 'string', message: 'string?' },
};
const FAILURE_REASONS = new Set(['timeout', 'memory', 'aborted', 'crash']);
/** The same, as lists: checked on every message, so not rebuilt for each. */
const RUNNER_MESSAGE_FIELD_LISTS = new Map(Object.entries(RUNNER_MESSAGE_FIELDS).map(([type, fields]) => [type, Object.entries(fields)]));

/** Parses one line from a runner; throws a clear error for anything that is not a well-formed runner message. */
export function parseRunnerLine(line: string): RunnerMessage {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new Error(`the runner sent a line that is not JSON: ${JSON.stringify(line.slice(0, 200))}`);
  }
  const type = (value as { type?: unknown } | null)?.type;
  const fields = typeof type === 'string' ? RUNNER_MESSAGE_FIELD_LISTS.get(type) : undefined;
  if (!fields) throw new Error(`the runner sent an unknown message: ${JSON.stringify(line.slice(0, 200))}`);
  const message = value as Record<string, unknown>;
  for (const [name, kind] of fields) {
    const field = message[name];
    const ok =
      kind === 'string?' || kind === 'boolean?'
        ? field === undefined || typeof field === kind.slice(0, -1)
        : typeof field === kind && (kind !== 'number' || Number.isSafeInteger(field));
    if (!ok) throw new Error(`the runner sent a "${type}" message with a malformed "${name}": ${JSON.stringify(line.slice(0, 200))}`);
  }
  if (type === 'failed' && !FAILURE_REASONS.has(message.reason as string)) {
    throw new Error(`the runner sent a failure with an unknown reason: ${JSON.stringify(line.slice(0, 200))}`);
  }
  return value as RunnerMessage;
}

export { LineSplitter, MAX_LINE_CHARS } from '../sandbox/line-splitter.js';
