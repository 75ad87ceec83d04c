import { createHash } from 'node:crypto';
import {
  FINAL_ANSWER_TOOL_NAME,
  type MultiStepAgent,
  ToolCallError,
  type ToolCallOutcome,
  type ToolCallScope,
  toStorableOutput,
} from '@actkit/core';
import { ToolCallInterruptedError } from './errors.js';
import type { QueueEvent } from './events.js';
import type { JournalEntry, RunStore } from './run-store.js';

/**
 * Records each tool call of the step in flight in Redis — started, then done with its outcome —
 * so that when the step is run again by another worker (after a crash, or after a parked approval),
 * calls that completed are answered from the record instead of being repeated, and a call that was
 * in flight is repeated only if its tool is `idempotent`; otherwise the model is told.
 *
 * A call of the re-run step matches the record with the same tool, the same input and the same
 * occurrence (the second identical call matches the second record). The record is cleared by each
 * checkpoint, so it only ever holds the step in flight.
 */
export function journalToolCalls(
  agent: MultiStepAgent<any>,
  store: RunStore,
  runId: string,
  recorded: Map<string, JournalEntry>,
  report: (event: QueueEvent) => void,
): { stepCheckpointed(): void } {
  const toolbox = agent.toolbox;
  const occurrences = new Map<string, number>();
  // A wrapped toolbox answers no call at once: code actions then wait for each, as the journal must.
  toolbox.wrapCalls(async (name, rawInput, scope, call): Promise<ToolCallOutcome> => {
    if (name === FINAL_ANSWER_TOOL_NAME) return call(name, rawInput, scope);
    const key = callKey(name, rawInput);
    const n = (occurrences.get(key) ?? 0) + 1;
    occurrences.set(key, n);
    const field = `${key}#${n}`;
    const previous = recorded.get(field);
    if (previous?.state === 'done') {
      report({ type: 'tool-call-replayed', toolName: name, toolCallId: scope.toolCallId });
      return previous.ok
        ? { ok: true, output: previous.output, input: previous.input }
        : { ok: false, error: new ToolCallError(name, previous.error.message), input: previous.input };
    }
    if (previous?.state === 'started') {
      const repeat = toolbox.get(name)?.idempotent === true;
      report({ type: 'tool-call-interrupted', toolName: name, toolCallId: scope.toolCallId, repeated: repeat });
      if (!repeat) return { ok: false, error: new ToolCallInterruptedError(name), input: rawInput };
    }
    let started = false;
    const outcome = await call(
      name,
      rawInput,
      journalingStart(scope, async () => {
        await store.journalWrite(runId, field, { state: 'started', toolName: name });
        started = true;
      }),
    );
    if (started) {
      const entry: JournalEntry = outcome.ok
        ? { state: 'done', toolName: name, ok: true, output: jsonSafe(outcome.output), input: jsonSafe(outcome.input) }
        : { state: 'done', toolName: name, ok: false, error: { name: outcome.error.name, message: outcome.error.message }, input: jsonSafe(outcome.input) };
      await store.journalWrite(runId, field, entry);
    }
    return outcome;
  });
  return {
    // The checkpoint cleared the record in Redis: the next step starts with none.
    stepCheckpointed() {
      recorded.clear();
      occurrences.clear();
    },
  };
}

/**
 * The call's scope, decorated to journal the call as started once the run approved it, right
 * before the tool runs (after validation and approval): from there on it may take effect.
 */
function journalingStart(scope: ToolCallScope, start: () => Promise<void>): ToolCallScope {
  return {
    ...scope,
    approve: async (tool, input) => {
      const refused = await scope.approve?.(tool, input);
      if (!refused) await start();
      return refused;
    },
  };
}

/** A call's identity across re-runs of a step: the tool and its input (key order does not matter). */
export function callKey(toolName: string, rawInput: unknown): string {
  let input = rawInput;
  if (typeof input === 'string') {
    try {
      input = JSON.parse(input);
    } catch {
      // Not JSON: keyed by the text itself.
    }
  }
  return `${toolName}:${createHash('sha1').update(stableJson(input)).digest('base64url')}`;
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Outputs are stored as JSON (bytes as base64, as memory keeps them). */
function jsonSafe(value: unknown): unknown {
  try {
    return JSON.parse(JSON.stringify(toStorableOutput(value), (_k, v) => (typeof v === 'bigint' ? v.toString() : v)) ?? 'null');
  } catch {
    return String(value);
  }
}
