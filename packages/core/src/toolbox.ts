import {
  type AnyTool,
  andThen,
  checkToolInput,
  checkToolOutput,
  isPromiseLike,
  type JSONSchema,
  ToolCallError,
  ToolExecutionError,
  toolInputJSONSchema,
  UnknownToolError,
  type ValidationResult,
  whatMayWait,
} from '@actkit/tools';
import { AgentConfigError } from './errors.js';
import type { ModelToolDefinition } from './model.js';
import type { ToolCallScope } from './tool-call-scope.js';
import { toJsonOutput } from './tool-output.js';

export type ToolCallOutcome = { ok: true; output: unknown; input: unknown } | { ok: false; error: ToolCallError; input: unknown };

/** One way to make a call: the toolbox's own, or a wrapper's around it. */
export type ToolCall = (name: string, rawInput: unknown, scope: ToolCallScope) => ToolCallOutcome | Promise<ToolCallOutcome>;

/**
 * Stands around every call of a toolbox (a journal that records calls, say): it makes the call
 * with `next`, possibly with a decorated scope, or answers it itself.
 */
export type ToolCallWrapper = (name: string, rawInput: unknown, scope: ToolCallScope, next: ToolCall) => ToolCallOutcome | Promise<ToolCallOutcome>;

/**
 * The agent's tools by name, and the one way a call is made: look the tool up, validate the
 * input, run it, check the output. Both agents dispatch through here, so a bad call reads the
 * same whether it came from a JSON tool call or from inside a code action.
 */
export class Toolbox {
  readonly #tools = new Map<string, AnyTool>();
  /** The toolbox's own way to make a call, within the wrappers added so far. */
  #call: ToolCall = (name, rawInput, scope) => this.#validateAndRun(name, rawInput, scope);
  #wrapped = false;

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

  /**
   * Whether `call` answers this tool at once, whatever the input: the tool says it is
   * `synchronous`, nothing in its calls waits (checked again here for a tool not made by `tool()`),
   * and no wrapper stands around the calls (one may wait). A code action's sandbox may then answer
   * its calls without letting the event loop turn.
   */
  answersAtOnce(name: string): boolean {
    const tool = this.#tools.get(name);
    return !this.#wrapped && tool?.synchronous === true && whatMayWait(tool).length === 0;
  }

  /** Puts `wrapper` around every later call, outside the wrappers added before it. */
  wrapCalls(wrapper: ToolCallWrapper): void {
    const inner = this.#call;
    this.#call = (name, rawInput, scope) => wrapper(name, rawInput, scope, inner);
    this.#wrapped = true;
  }

  /**
   * Validates and runs a call made within `scope` (the run that makes it: its approval comes
   * between validation and the run), through the wrappers. Never throws for a bad call: the
   * outcome carries the error.
   *
   * Answers synchronously when every part does (the schemas have no refinements or transforms,
   * the scope's `approve` and the tool return plain values, no wrapper waits): a code action may
   * call a tool thousands of times, and a sandbox can then answer it without suspending. Only what
   * returned a promise is awaited, and the outcome is the same either way.
   */
  call(name: string, rawInput: unknown, scope: ToolCallScope): ToolCallOutcome | Promise<ToolCallOutcome> {
    return this.#call(name, rawInput, scope);
  }

  #validateAndRun(name: string, rawInput: unknown, scope: ToolCallScope): ToolCallOutcome | Promise<ToolCallOutcome> {
    const tool = this.#tools.get(name);
    if (!tool) return { ok: false, error: new UnknownToolError(name, this.names), input: rawInput };
    const checked = (validated: ValidationResult<unknown>): ToolCallOutcome | Promise<ToolCallOutcome> => {
      if (!validated.success) return { ok: false, error: validated.error, input: rawInput };
      const input = validated.value;
      return andThen(scope.approve?.(tool, input), (refused) => (refused ? { ok: false, error: refused, input } : this.#run(tool, input, scope)));
    };
    // A refinement of the input schema that throws (or rejects) is the tool's code failing, as a throwing run is.
    const checkFailed = (error: unknown): ToolCallOutcome => ({ ok: false, error: new ToolExecutionError(tool.name, error), input: rawInput });
    let validation: ValidationResult<unknown> | Promise<ValidationResult<unknown>>;
    try {
      validation = checkToolInput(tool, rawInput);
    } catch (error) {
      return checkFailed(error);
    }
    return isPromiseLike(validation) ? Promise.resolve(validation).then(checked, checkFailed) : checked(validation);
  }

  /** The tool's run and its output's checks; a throw or rejection of any is the call's error. */
  #run(tool: AnyTool, input: unknown, scope: ToolCallScope): ToolCallOutcome | Promise<ToolCallOutcome> {
    const failed = (error: unknown): ToolCallOutcome => ({
      ok: false,
      error: error instanceof ToolCallError ? error : new ToolExecutionError(tool.name, error),
      input,
    });
    // Converted once, here: every later use of the output (model, sandbox, memory) gets plain JSON.
    const succeeded = (output: unknown): ToolCallOutcome => ({ ok: true, output: toJsonOutput(tool.name, output), input });
    try {
      const output = tool.run(input, {
        signal: scope.signal,
        toolCallId: scope.toolCallId,
        ...(scope.idempotencyKey ? { idempotencyKey: scope.idempotencyKey } : {}),
        ...(scope.context ? { context: scope.context } : {}),
        ...(scope.subRun ? { subRun: scope.subRun } : {}),
      });
      const checked = isPromiseLike(output) ? Promise.resolve(output).then((value) => checkToolOutput(tool, value)) : checkToolOutput(tool, output);
      if (!isPromiseLike(checked)) return succeeded(checked);
      return Promise.resolve(checked).then(succeeded).catch(failed);
    } catch (error) {
      return failed(error);
    }
  }
}
