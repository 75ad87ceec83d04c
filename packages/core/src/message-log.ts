import { type AgentMemory, defaultWording, type MessageOptions, type MessageWording, renderStepMessages, renderSystemMessage } from './memory.js';
import type { MemoryStep } from './run-record.js';
import type { ModelMessage } from './model.js';

/**
 * The conversation as it is sent, rendered one step at a time and appended: a step already in
 * memory is rendered once, so a step costs the same at step 200 as at step 20, and the messages
 * of earlier steps stay the same objects (byte-identical on the wire, which providers' prompt
 * caches need).
 *
 * Only the newest step is rendered again on every call (the loop may still add to it: a loop
 * guard's nudge, the outcome of approved calls). To change an earlier step, replace it in
 * `memory.steps` with a new object; editing it in place is not seen.
 */
export class MessageLog {
  #memory: AgentMemory | undefined;
  /** The steps rendered, each step's messages and size, and all their messages in one array. */
  #steps: MemoryStep[] = [];
  #rendered: ModelMessage[][] = [];
  #chars: number[] = [];
  #flat: ModelMessage[] = [];
  /** Where each step's messages start in `#flat`. */
  #offsets: number[] = [];

  constructor(
    readonly wording: MessageWording = defaultWording,
    readonly options: MessageOptions = {},
  ) {}

  /** The messages for this memory: the system prompt, then every step in order. */
  messages(memory: AgentMemory): ModelMessage[] {
    this.#update(memory);
    return [renderSystemMessage(memory)].concat(this.#flat);
  }

  /** The messages of each step of this memory, in order (the system prompt not included). */
  stepMessages(memory: AgentMemory): readonly ModelMessage[][] {
    this.#update(memory);
    return this.#rendered;
  }

  /** Size in characters of each step's messages, as `stepMessages` returns them (a cheap measure of their tokens). */
  stepChars(memory: AgentMemory): readonly number[] {
    this.#update(memory);
    return this.#chars;
  }

  #update(memory: AgentMemory): void {
    const steps = memory.steps;
    // The first step to render: the first one not seen before, and at the latest the newest one.
    let from = 0;
    if (this.#memory === memory) {
      const known = Math.min(steps.length - 1, this.#steps.length);
      while (from < known && this.#steps[from] === steps[from]) from++;
    }
    this.#memory = memory;
    const keep = from < this.#offsets.length ? this.#offsets[from]! : this.#flat.length;
    this.#flat.length = keep;
    for (const list of [this.#steps, this.#rendered, this.#chars, this.#offsets]) list.length = from;
    for (let i = from; i < steps.length; i++) {
      const messages = renderStepMessages(steps[i]!, this.wording, this.options);
      this.#steps.push(steps[i]!);
      this.#rendered.push(messages);
      this.#chars.push(charsOf(messages));
      this.#offsets.push(this.#flat.length);
      for (const m of messages) this.#flat.push(m);
    }
  }
}

/** Characters of text in messages (files count by their data's length): a cheap size measure. */
export function charsOf(messages: readonly ModelMessage[]): number {
  let n = 0;
  for (const m of messages) {
    if (typeof m.content === 'string') {
      n += m.content.length;
      continue;
    }
    for (const part of m.content) {
      if (part.type === 'text' || part.type === 'reasoning') n += part.text.length;
      else if (part.type === 'file') n += typeof part.data === 'string' ? part.data.length : part.data instanceof URL ? part.data.href.length : part.data.length;
      else if (part.type === 'tool-call') n += part.toolName.length + JSON.stringify(part.input ?? null).length;
      else if (part.type === 'tool-result') {
        const o = part.output;
        n += o.type === 'json' ? JSON.stringify(o.value ?? null).length : o.type === 'content' ? charsOf([{ role: 'user', content: o.value }]) : o.value.length;
      }
    }
  }
  return n;
}
