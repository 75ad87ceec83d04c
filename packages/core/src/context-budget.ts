import { AgentConfigError } from './errors.js';
import type { AgentMemory } from './memory.js';
import type { MemoryStep } from './run-record.js';
import { charsOf, type MessageLog } from './message-log.js';
import type { Model, ModelMessage, TextPart, ToolResultOutput } from './model.js';
import { modelInfo } from './model-catalog.js';

/**
 * Keeps what is sent within the model's context window: when the conversation nears the window,
 * older observations are shortened in the messages sent — the largest and oldest first, each
 * with a note saying what was elided. Memory keeps them whole. The task, plans, the model's own
 * replies, the newest steps and a step with a call waiting for approval are never shortened.
 */
export interface ContextBudgetOptions {
  /** The model's context window in tokens. Default: known for common models (`modelInfo`); for others the budget is off unless this is set. */
  contextWindow?: number;
  /** Shorten once the conversation is estimated to fill this share of the window (default 0.75). */
  threshold?: number;
  /**
   * Shorten down to this share (default 0.5). Shortening changes the prompt's prefix, so the
   * next call writes the prompt cache again: the gap makes that happen now and then, not at
   * every step. A shortened observation stays shortened.
   */
  target?: number;
  /** The newest action steps, never shortened (default 3). */
  keepLastSteps?: number;
  /** Characters kept from the start of a shortened observation (default 400). */
  keepChars?: number;
  /**
   * Replaces the default shortening: gets the messages about to be sent and returns those to
   * send (memory is not changed). Called before every model call while the budget is on.
   */
  compact?: (messages: ModelMessage[], context: ContextBudgetContext) => ModelMessage[];
}

export interface ContextBudgetContext {
  memory: AgentMemory;
  /** Undefined when the model's window is not known and none was set. */
  contextWindow: number | undefined;
  /** Estimated input tokens of the messages (about 3 characters a token until a model call has reported its real count). */
  estimatedTokens: number;
}

const DEFAULTS = { threshold: 0.75, target: 0.5, keepLastSteps: 3, keepChars: 400 };
/** Characters per token assumed before the model has reported a real count (low, so the estimate errs high). */
const INITIAL_CHARS_PER_TOKEN = 3;

export class ContextBudget {
  readonly threshold: number;
  readonly target: number;
  readonly keepLastSteps: number;
  readonly keepChars: number;
  readonly compact: ContextBudgetOptions['compact'];
  /** Shortened renderings of steps (and their size), kept so a step once shortened is sent the same way afterwards. */
  #shortened = new WeakMap<MemoryStep, { messages: ModelMessage[]; chars: number }>();
  #anyShortened = false;
  #memory: AgentMemory | undefined;
  /** What the last call sent (characters) and the step it was for, to learn the tokens per character from its usage. */
  #lastSent: { chars: number; step: MemoryStep } | undefined;
  #charsPerToken = INITIAL_CHARS_PER_TOKEN;

  /** `contextWindow` may be undefined only with a `compact` hook (the default shortening needs a window). */
  constructor(
    readonly contextWindow: number | undefined,
    options: ContextBudgetOptions = {},
  ) {
    const share = (value: number | undefined, fallback: number, name: string) => {
      const v = value ?? fallback;
      if (!(typeof v === 'number' && v > 0 && v <= 1)) throw new AgentConfigError(`contextBudget.${name} must be a number in (0, 1], got ${value}.`);
      return v;
    };
    if (!(contextWindow === undefined ? options.compact : Number.isInteger(contextWindow) && contextWindow > 0)) {
      throw new AgentConfigError(`contextBudget.contextWindow must be a positive integer, got ${contextWindow}.`);
    }
    this.threshold = share(options.threshold, DEFAULTS.threshold, 'threshold');
    this.target = share(options.target, Math.min(DEFAULTS.target, this.threshold), 'target');
    if (this.target > this.threshold) throw new AgentConfigError('contextBudget.target must not exceed contextBudget.threshold.');
    this.keepLastSteps = nonNegativeInteger(options.keepLastSteps ?? DEFAULTS.keepLastSteps, 'keepLastSteps');
    this.keepChars = nonNegativeInteger(options.keepChars ?? DEFAULTS.keepChars, 'keepChars');
    if (options.compact !== undefined && typeof options.compact !== 'function') throw new AgentConfigError('contextBudget.compact must be a function.');
    this.compact = options.compact;
  }

  /** The messages to send for this memory: the log's, with older observations shortened when over budget. */
  messages(memory: AgentMemory, log: MessageLog): ModelMessage[] {
    if (this.#memory !== memory) {
      this.#memory = memory;
      this.#shortened = new WeakMap();
      this.#anyShortened = false;
      this.#lastSent = undefined;
    }
    this.#learnCharsPerToken();
    const steps = memory.steps;
    const rendered = log.stepMessages(memory);
    const chars = log.stepChars(memory);
    const sizes = steps.map((step, i) => {
      const short = this.#anyShortened ? this.#shortened.get(step) : undefined;
      return short ? short.chars : chars[i]!;
    });
    let total = memory.systemPrompt.length + sizes.reduce((a, b) => a + b, 0);
    const tokens = (c: number) => Math.ceil(c / this.#charsPerToken);

    if (this.compact) {
      const all = log.messages(memory);
      const out = this.compact(all, { memory, contextWindow: this.contextWindow, estimatedTokens: tokens(total) });
      if (!Array.isArray(out)) throw new AgentConfigError('contextBudget.compact must return an array of messages.');
      this.#remember(charsOf(out), steps);
      return out;
    }

    const window = this.contextWindow!;
    if (tokens(total) >= this.threshold * window) {
      const goal = this.target * window;
      for (const i of this.#candidates(steps, sizes)) {
        if (tokens(total) <= goal) break;
        const short = shortenStep(rendered[i]!, this.keepChars);
        const shortChars = charsOf(short);
        const saved = sizes[i]! - shortChars;
        if (saved <= 0) continue;
        this.#shortened.set(steps[i]!, { messages: short, chars: shortChars });
        this.#anyShortened = true;
        sizes[i] = sizes[i]! - saved;
        total -= saved;
      }
    }
    this.#remember(total, steps);
    if (!this.#anyShortened) return log.messages(memory);
    const out: ModelMessage[] = [{ role: 'system', content: memory.systemPrompt }];
    steps.forEach((step, i) => {
      for (const m of this.#shortened.get(step)?.messages ?? rendered[i]!) out.push(m);
    });
    return out;
  }

  /** Steps that may be shortened, largest first (the oldest first among equals): observations of older action steps, none waiting for approval. */
  #candidates(steps: readonly MemoryStep[], sizes: number[]): number[] {
    let protectedFrom = steps.length;
    for (let seen = 0; protectedFrom > 0 && seen < this.keepLastSteps; ) if (steps[--protectedFrom]!.type === 'action') seen++;
    const out: number[] = [];
    for (let i = 0; i < protectedFrom; i++) {
      const step = steps[i]!;
      if (step.type !== 'action' || this.#shortened.has(step)) continue;
      if (step.toolCalls.some((c) => c.pendingApproval !== undefined)) continue;
      if (sizes[i]! > this.keepChars) out.push(i);
    }
    return out.sort((a, b) => sizes[b]! - sizes[a]! || a - b);
  }

  #remember(chars: number, steps: readonly MemoryStep[]): void {
    const step = steps.at(-1);
    this.#lastSent = step ? { chars, step } : undefined;
  }

  /** After a call, the input tokens the model reported for what was sent give the real characters per token. */
  #learnCharsPerToken(): void {
    const sent = this.#lastSent;
    if (!sent || !this.#memory) return;
    const steps = this.#memory.steps;
    const at = steps.lastIndexOf(sent.step);
    const next = at >= 0 ? steps[at + 1] : undefined;
    const reported = next && next.type !== 'task' ? next.usage.inputTokens.total : undefined;
    // Clamped: a model reporting odd counts (a test double, a proxy) must not switch the budget off.
    if (reported && reported > 0 && sent.chars > 0) this.#charsPerToken = Math.min(6, Math.max(1, sent.chars / reported));
  }
}

/** A step's messages with long observations (tool results, observation text) cut to `keep` characters and a note. */
export function shortenStep(messages: readonly ModelMessage[], keep: number): ModelMessage[] {
  return messages.map((m): ModelMessage => {
    if (m.role === 'tool') {
      return { ...m, content: m.content.map((r) => ({ ...r, output: shortenOutput(r.output, keep) })) };
    }
    if (m.role === 'user') return { ...m, content: shortenParts(m.content, keep) };
    return m; // The model's own replies (its calls and code) stay as they were.
  });
}

function shortenOutput(output: ToolResultOutput, keep: number): ToolResultOutput {
  switch (output.type) {
    case 'text':
    case 'error-text':
      return { ...output, value: shortenText(output.value, keep) };
    case 'json': {
      const text = JSON.stringify(output.value ?? null);
      return text.length > keep ? { type: 'text', value: shortenText(text, keep) } : output;
    }
    case 'content':
      return { type: 'content', value: shortenParts(output.value, keep) as TextPart[] };
  }
}

function shortenParts<P extends { type: string }>(parts: readonly P[], keep: number): Array<P | TextPart> {
  return parts.map((p) => {
    if (p.type === 'text') return { ...p, text: shortenText((p as unknown as TextPart).text, keep) };
    if (p.type === 'file') return { type: 'text' as const, text: '[A file was here; it was elided to keep the conversation within the context window.]' };
    return p;
  });
}

/** The start of the text and a note saying how much was elided (the text itself when short enough). */
export function shortenText(text: string, keep: number): string {
  if (text.length <= keep + ELISION_NOTE_ROOM) return text;
  return `${text.slice(0, keep)}\n[… ${text.length - keep} more characters elided to keep the conversation within the model's context window. The run's memory keeps them; repeat the call if you need them again.]`;
}
/** Texts barely over the limit are left whole: the note would take the room it saves. */
const ELISION_NOTE_ROOM = 200;

function nonNegativeInteger(value: number, name: string): number {
  if (!(Number.isInteger(value) && value >= 0)) throw new AgentConfigError(`contextBudget.${name} must be a non-negative integer, got ${value}.`);
  return value;
}

/** The context budget a run gets: the options' window, else the model's known one; none when neither is known (unless a `compact` hook replaces the shortening). */
export function contextBudgetFor(options: ContextBudgetOptions | false | undefined, model: Model): ContextBudget | undefined {
  if (options === false) return undefined;
  const window = options?.contextWindow ?? modelInfo(model.modelId)?.contextWindow;
  return window !== undefined || options?.compact ? new ContextBudget(window, options) : undefined;
}
