import {
  type ActionStep,
  type AgentMemory,
  type AgentOptions,
  AgentAbortedError,
  AgentConfigError,
  type AnyTool,
  checkPrompts,
  type CodeExecutor,
  type ExecutionError,
  type ExecutionResult,
  FINAL_ANSWER_TOOL_NAME,
  MultiStepAgent,
  renderTemplate,
  type SandboxTool,
  type RunOptions,
  type RunStart,
  type SandboxVariables,
  type StepContext,
  type StepToolCall,
  toolInputJSONSchema,
  toolSignature,
} from '@actkit/core';
import { andThen } from '@actkit/tools';
import { type CodeBlockTags, DEFAULT_CODE_TAGS, extractCode } from './extract-code.js';
import { ALLOWED_MODULES, INSTRUCTIONS_SECTION, NO_MODULES, SYSTEM_PROMPT } from './prompts.js';
import { ExecutorPool } from './executor-pool.js';
import { prepareVariables } from './variables.js';

export interface CodeAgentPrompts {
  /** Placeholders: {{tools}}, {{open}}, {{close}}, {{modules}}, {{instructions}}. */
  system: string;
  /** How user instructions are added. Placeholder: {{instructions}}. */
  instructions: string;
  /** The modules line when none may be imported. */
  noModules: string;
  /** The modules line otherwise. Placeholder: {{modules}}. */
  allowedModules: string;
}

export interface CodeAgentOptions<TOutput = unknown> extends AgentOptions<TOutput> {
  /**
   * Where code actions run, e.g. `new LocalExecutor()` from `@actkit/executor-local`: every run
   * uses it. Or a function making one, e.g. `() => new LocalExecutor()`: runs at the same time
   * then each get a sandbox of their own (see `ExecutorPool`).
   */
  executor: CodeExecutor | (() => CodeExecutor);
  /** The tag pair the model writes its code between (default `<code>` … `</code>`); fenced blocks work too. */
  codeTags?: CodeBlockTags;
  /**
   * Time limit for one code action, in ms (default: the executor's). The time its tool calls take
   * is not counted: a tool that never answers is bounded by the run's `signal` (e.g.
   * `AbortSignal.timeout(ms)`) or by a timeout of its own (its `run` gets the run's signal).
   */
  actionTimeoutMs?: number;
  /** Console output of one action beyond this many characters is cut, with a note (default 10 000). */
  maxOutputLength?: number;
  /** Replaces the prompts (defaults in `prompts/*.md`); checked when the agent is created. */
  prompts?: Partial<CodeAgentPrompts>;
}

const DEFAULT_MAX_OUTPUT = 10_000;

const DEFAULT_PROMPTS: CodeAgentPrompts = { system: SYSTEM_PROMPT, instructions: INSTRUCTIONS_SECTION, noModules: NO_MODULES, allowedModules: ALLOWED_MODULES };

/** What each prompt may use, checked when the agent is created. */
const PROMPT_PLACEHOLDERS: Record<keyof CodeAgentPrompts, readonly string[]> = {
  system: ['tools', 'open', 'close', 'modules', 'instructions'],
  instructions: ['instructions'],
  noModules: [],
  allowedModules: ['modules'],
};

/**
 * An agent whose actions are JavaScript: the model writes a snippet, the executor runs it with
 * every tool as a plain function (run on the host), and the console output becomes the next
 * observation. One action can call many tools, loop, branch and compute.
 */
/** What one run of a CodeAgent holds: its sandbox and its variables. */
export interface CodeRunState {
  executor: CodeExecutor;
  variables: SandboxVariables | undefined;
}

/**
 * Whose state each executor's sandbox holds: the memory whose code it ran last, across this
 * process's agents. Two things follow from it.
 * - A run never sees another run's data: an action of a run whose memory is not the holder runs in
 *   a fresh sandbox (`freshSandbox`). A server keeping one agent for every request, or a pool
 *   handing an idle executor to a new run, would otherwise let the next run read the last one's
 *   variables; runs at the same time on one executor each wipe the other's (and are told so).
 * - A run that continues a memory whose code ran elsewhere — restored from JSON (a durable run's
 *   next worker, another process), run by another agent or executor of the pool, or interleaved
 *   with another run — finds none of its earlier steps' variables, and the sandbox cannot tell:
 *   the agent tells the model. (A memory restored from JSON counts as elsewhere even in the sandbox
 *   that ran it: the model is then told its variables are gone, which they are.)
 */
const memoryOfSandbox = new WeakMap<CodeExecutor, AgentMemory>();

export class CodeAgent<TOutput = unknown> extends MultiStepAgent<TOutput, CodeRunState> {
  /** The executor (the first one, when the agent makes one per concurrent run). */
  readonly executor: CodeExecutor;
  readonly #executors: ExecutorPool;
  readonly codeTags: CodeBlockTags;
  readonly actionTimeoutMs: number | undefined;
  readonly maxOutputLength: number;
  readonly prompts: CodeAgentPrompts;

  constructor(options: CodeAgentOptions<TOutput>) {
    super(options);
    if (this.toolbox.has(FINAL_ANSWER_TOOL_NAME)) {
      throw new AgentConfigError(
        `A CodeAgent's code ends a run with the sandbox's own ${FINAL_ANSWER_TOOL_NAME}(value), so a tool of that name would never be called: ` +
          'name it otherwise (to check the answer, give the agent an `outputSchema`).',
      );
    }
    if (options.approval?.defer) {
      // Ignored, the run would wait for a decision (ten minutes by default) where the caller expects it to end.
      throw new AgentConfigError(
        'approval.defer is for a ToolCallingAgent: a code action cannot be saved half-way. A CodeAgent\'s calls wait for a decision ' +
          '(agent.respond(), or approval.decide); to park runs without holding a process, use @actkit/bullmq.',
      );
    }
    const given = options.executor as unknown;
    if (typeof given !== 'function' && typeof (given as CodeExecutor | undefined)?.execute !== 'function') {
      throw new AgentConfigError(
        'A CodeAgent needs an `executor`, e.g. `new LocalExecutor()` from @actkit/executor-local.',
      );
    }
    this.#executors = new ExecutorPool(options.executor);
    this.executor = this.#executors.first;
    if (typeof this.executor?.execute !== 'function') throw new AgentConfigError('The `executor` function must return an executor.');
    this.codeTags = options.codeTags ?? DEFAULT_CODE_TAGS;
    if (!this.codeTags.open || !this.codeTags.close) throw new AgentConfigError('codeTags needs non-empty `open` and `close`.');
    this.actionTimeoutMs = options.actionTimeoutMs;
    this.maxOutputLength = options.maxOutputLength ?? DEFAULT_MAX_OUTPUT;
    this.prompts = checkPrompts(options.prompts, DEFAULT_PROMPTS, PROMPT_PLACEHOLDERS, 'prompts');
  }

  /** The tools the code can call: every tool but `final_answer`, which the sandbox provides itself. */
  get codeTools(): AnyTool[] {
    return codeToolsOf(this.toolbox.tools);
  }

  protected override buildSystemPrompt(tools: readonly AnyTool[]): string {
    const modules = this.executor.modules ?? [];
    return renderTemplate(this.prompts.system, {
      tools: codeToolsOf(tools).map(toolSignature).join('\n\n'),
      open: this.codeTags.open,
      close: this.codeTags.close,
      modules:
        modules.length > 0
          ? renderTemplate(this.prompts.allowedModules, { modules: modules.join(', ') })
          : this.prompts.noModules,
      instructions: this.instructions ? renderTemplate(this.prompts.instructions, { instructions: this.instructions }) : '',
    }).trim();
  }

  /** A run's sandbox and variables (serialised once for all its actions). */
  protected override startRun({ variables, variableSchemas }: Pick<RunOptions, 'variables' | 'variableSchemas'>): RunStart<CodeRunState> {
    const prepared =
      variables && Object.keys(variables).length > 0
        ? prepareVariables(variables, variableSchemas, this.codeTools.map((t) => t.name))
        : undefined;
    const executor = this.#executors.take();
    return {
      taskNote: prepared?.section ?? '',
      state: { executor, variables: prepared?.handle },
      end: async () => this.#executors.give(executor),
    };
  }

  protected override async executeStep(step: ActionStep, context: StepContext<CodeRunState>): Promise<void> {
    const stopSequences = context.model.capabilities?.stopSequences === false ? undefined : [this.codeTags.close];
    const response = await context.callModel(stopSequences ? { stopSequences } : {});
    const text = step.modelOutput?.text ?? '';
    const code = extractCode(text, this.codeTags);
    if (code === undefined) {
      step.error = noCodeError(text, response.refusal, response.finishReason, this.codeTags);
      return;
    }
    step.code = code;
    step.codeToolCalls = [];
    context.emit({ type: 'code', stepNumber: step.stepNumber, code });

    const { executor, variables } = context.state;
    const holder = memoryOfSandbox.get(executor);
    const earlierCodeLost = holder !== context.memory && context.memory.actionSteps.some((earlier) => earlier !== step && earlier.code !== undefined);
    memoryOfSandbox.set(executor, context.memory);
    const result = await executor.execute(code, {
      // Another run's state is in the sandbox: this run must not see it.
      ...(holder !== undefined && holder !== context.memory ? { freshSandbox: true } : {}),
      tools: this.#sandboxTools(step, context),
      signal: context.signal,
      maxLogChars: this.maxOutputLength,
      filename: `step-${step.stepNumber}.js`,
      ...(variables ? { variables } : {}),
      ...(this.actionTimeoutMs ? { timeoutMs: this.actionTimeoutMs } : {}),
      onLog: (text) => context.emit({ type: 'code-log', stepNumber: step.stepNumber, text }),
    });
    if (result.error?.kind === 'aborted' || context.signal.aborted) {
      throw new AgentAbortedError('The run was aborted during a code action.');
    }
    step.observation = observationOf(earlierCodeLost ? { ...result, stateLost: true } : result, this.maxOutputLength);
    if (result.error) step.error = { name: result.error.name, message: describeExecutionError(result.error) };
    else if (result.finalAnswer) step.finalAnswer = { value: result.finalAnswer.value };
  }

  /** Each tool as a host function the sandbox calls: validated, run, recorded and streamed like any tool call. */
  #sandboxTools(step: ActionStep, context: StepContext<CodeRunState>): SandboxTool[] {
    let count = 0;
    return codeToolsOf(context.tools).map((tool) => ({
      name: tool.name,
      // A tool answered at once, always: an executor may then run the action on the host's thread.
      synchronous: this.toolbox.answersAtOnce(tool.name),
      // Synchronous when the call was (no approval asked, the tool answered at once): the sandbox then need not suspend.
      call: (rawInput: unknown) => {
        const toolCallId = `${context.runId.slice(0, 8)}-${step.stepNumber}-${++count}`;
        const input = positionalToObject(tool, rawInput);
        const done = ({ record, outcome }: StepToolCall): unknown => {
          step.codeToolCalls?.push(record);
          if (!outcome.ok) throw outcome.error;
          return outcome.output;
        };
        return andThen(context.callTool({ toolCallId, toolName: tool.name, input }), done);
      },
    }));
  }

  /** Closes the executor (its sandbox), or every executor the agent made. */
  async close(): Promise<void> {
    await this.#executors.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** The tools code can call: all but `final_answer`, which the sandbox provides itself. */
function codeToolsOf(tools: readonly AnyTool[]): AnyTool[] {
  return tools.filter((t) => t.name !== FINAL_ANSWER_TOOL_NAME);
}

/**
 * `search("cats")` for a tool with one parameter means `search({ query: "cats" })`: models write
 * it that way often enough that refusing would only cost a step.
 */
function positionalToObject(tool: AnyTool, input: unknown): unknown {
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) return input;
  const properties = Object.keys((toolInputJSONSchema(tool) as { properties?: object }).properties ?? {});
  return properties.length === 1 ? { [properties[0]!]: input } : input;
}

function observationOf(result: ExecutionResult, maxOutputLength: number): string {
  const parts: string[] = [];
  if (result.stateLost) {
    parts.push(
      'Note: the sandbox had to be restarted, so variables, functions and imports from earlier steps are gone; define again what you need.',
    );
  }
  if (result.logs !== '') {
    const note = result.logsTruncated ? `\n[output truncated: only the first ${maxOutputLength} characters are shown]` : '';
    parts.push(`Execution logs:\n${result.logs.replace(/\n$/, '')}${note}`);
  }
  if (result.value !== undefined) parts.push(`Last output from code snippet:\n${result.value}`);
  if (parts.length === 0 && !result.error) parts.push('The code ran without printing anything.');
  return parts.join('\n');
}

/** The message a model gets for a failed action: what, where, and the short stack. */
export function describeExecutionError(error: ExecutionError): string {
  const where = error.line ? ` on line ${error.line}` : '';
  switch (error.kind) {
    case 'syntax':
      return `SyntaxError${where}: ${error.message}`;
    case 'tool': {
      // A tool's own error often opens with the same words (`Tool "x" failed: …`): said once.
      const said = error.toolName ? `Tool "${error.toolName}" failed: ` : undefined;
      const message = said && error.message.startsWith(said) ? error.message.slice(said.length) : error.message;
      return `Tool ${error.toolName ? `"${error.toolName}" ` : ''}failed${where}: ${message}`;
    }
    case 'timeout':
    case 'memory':
    case 'crash':
    case 'output':
    case 'unsupported':
      return error.message;
    default: {
      const stack = error.stack && error.stack.split('\n').length > 1 ? `\n${error.stack}` : '';
      return `${error.name}${where}: ${error.message}${stack}`;
    }
  }
}

function noCodeError(
  text: string,
  refusal: string | undefined,
  finishReason: string,
  tags: CodeBlockTags,
): { name: string; message: string } {
  if (refusal !== undefined || finishReason === 'content-filter') {
    return { name: 'ModelRefusal', message: `The model declined to answer${refusal ? `: ${refusal}` : ''}.` };
  }
  if (text.trim() === '') {
    return {
      name: 'EmptyReply',
      message: `Your reply was empty${finishReason === 'length' ? ' (cut off at the output token limit)' : ''}. Write your code between ${tags.open} and ${tags.close}.`,
    };
  }
  return {
    name: 'NoCode',
    message: `Your reply has no code. Write your code between ${tags.open} and ${tags.close}, and call final_answer(...) in it when you have the answer.`,
  };
}
