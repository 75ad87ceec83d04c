import {
  type AnyTool,
  type JSONSchema,
  ToolCallError,
  ToolExecutionError,
  toolInputJSONSchema,
  UnknownToolError,
  validateToolInput,
  validateToolOutput,
} from '@actkit/tools';
import { AgentConfigError } from './errors.js';
import type { ModelToolDefinition } from './model.js';
import { toJsonOutput } from './tool-output.js';

export type ToolCallOutcome = { ok: true; output: unknown; input: unknown } | { ok: false; error: ToolCallError; input: unknown };

export interface ToolCallOptions {
  signal: AbortSignal;
  toolCallId: string;
  /** Passed to the tool as `context.idempotencyKey`. */
  idempotencyKey?: string;
  context?: Record<string, unknown>;
  /** Receives the result of a managed agent's run made by this call. */
  reportSubRun?: (result: unknown) => void;
  /** Receives each event of a managed agent's run made by this call. */
  reportSubRunEvent?: (event: unknown) => void;
  /** Runs after validation, before the tool: an error returned here is the call's outcome (e.g. a denied approval). */
  beforeRun?: (tool: AnyTool, input: unknown) => Promise<ToolCallError | undefined>;
}

/**
 * The agent's tools by name, and the one way a call is made: look the tool up, validate the
 * input, run it, check the output. Both agents dispatch through here, so a bad call reads the
 * same whether it came from a JSON tool call or from inside a code action.
 */
export class Toolbox {
  readonly #tools = new Map<string, AnyTool>();

  constructor(tools: readonly AnyTool[] = []) {
    for (const t of tools) this.add(t);
  }

  add(tool: AnyTool): void {
    if (this.#tools.has(tool.name)) throw new AgentConfigError(`Two tools are named "${tool.name}".`);
    this.#tools.set(tool.name, tool);
  }

  get(name: string): AnyTool | undefined {
    return this.#tools.get(name);
  }

  has(name: string): boolean {
    return this.#tools.has(name);
  }

  get names(): string[] {
    return [...this.#tools.keys()];
  }

  get tools(): AnyTool[] {
    return [...this.#tools.values()];
  }

  definitions(): ModelToolDefinition[] {
    return this.tools.map((t) => ({
      name: t.name,
      description: t.description,
      inputSchema: toolInputJSONSchema(t) as JSONSchema,
    }));
  }

  /** Validates and runs a call. Never throws for a bad call: the outcome carries the error. */
  async call(name: string, rawInput: unknown, options: ToolCallOptions): Promise<ToolCallOutcome> {
    const tool = this.#tools.get(name);
    if (!tool) return { ok: false, error: new UnknownToolError(name, this.names), input: rawInput };
    const validated = await validateToolInput(tool, rawInput);
    if (!validated.success) return { ok: false, error: validated.error, input: rawInput };
    const refused = await options.beforeRun?.(tool, validated.value);
    if (refused) return { ok: false, error: refused, input: validated.value };
    try {
      const output = await tool.run(validated.value, {
        signal: options.signal,
        toolCallId: options.toolCallId,
        ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}),
        ...(options.context ? { context: options.context } : {}),
        ...(options.reportSubRun ? { reportSubRun: options.reportSubRun } : {}),
        ...(options.reportSubRunEvent ? { reportSubRunEvent: options.reportSubRunEvent } : {}),
      });
      // Converted once, here: every later use of the output (model, sandbox, memory) gets plain JSON.
      return { ok: true, output: toJsonOutput(name, await validateToolOutput(tool, output)), input: validated.value };
    } catch (error) {
      const wrapped = error instanceof ToolCallError ? error : new ToolExecutionError(name, error);
      return { ok: false, error: wrapped, input: validated.value };
    }
  }
}
