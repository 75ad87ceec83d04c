import {
  type ActionStep,
  type AgentOptions,
  type AnyTool,
  checkPrompts,
  FINAL_ANSWER_RECORDED,
  FINAL_ANSWER_TOOL_NAME,
  finalAnswerTool,
  formatToolOutput,
  type ModelToolDefinition,
  MultiStepAgent,
  renderTemplate,
  type StepContext,
  type ToolCallContent,
  type ToolCallRecord,
  toolInputJSONSchema,
  toolResultOutput,
  truncateText,
} from '@actkit/core';
import { INSTRUCTIONS_SECTION, SYSTEM_PROMPT, TEXT_ACTIONS_PROMPT } from './prompts.js';
import { parseTextToolCalls } from './text-actions.js';

export interface ToolCallingPrompts {
  /** System prompt for native tool calling. Placeholders: {{tools}}, {{instructions}}. */
  system: string;
  /** System prompt when tool calls are written as JSON in text. Same placeholders. */
  textActions: string;
  /** How user instructions are added. Placeholder: {{instructions}}. */
  instructions: string;
}

export interface ToolCallingAgentOptions<TOutput = unknown> extends AgentOptions<TOutput> {
  /**
   * How the model calls tools: `native` (the API's tool calling), `text` (JSON written in the
   * reply, for servers without tool calling), or `auto` (default: native unless the model says
   * it cannot).
   */
  toolCallMode?: 'auto' | 'native' | 'text';
  /** Most tool calls of one step run at once (default: all of them). */
  maxParallelToolCalls?: number;
  /** A reply with text and no tool call is taken as the final answer (default true). */
  textIsFinalAnswer?: boolean;
  /** Replaces the system prompts (defaults in `toolCallingPrompts`); checked when the agent is created. */
  prompts?: Partial<ToolCallingPrompts>;
}

const DEFAULT_PROMPTS: ToolCallingPrompts = { system: SYSTEM_PROMPT, textActions: TEXT_ACTIONS_PROMPT, instructions: INSTRUCTIONS_SECTION };

const PROMPT_PLACEHOLDERS: Record<keyof ToolCallingPrompts, readonly string[]> = {
  system: ['tools', 'instructions'],
  textActions: ['tools', 'instructions'],
  instructions: ['instructions'],
};

/**
 * An agent whose actions are JSON tool calls: each call is validated against its tool's schema
 * and dispatched; several calls in one reply run concurrently; every result (or error) goes back
 * to the model as a tool message. With an `outputSchema`, `final_answer` takes that schema as
 * its argument and `result.output` is typed by it.
 */
export class ToolCallingAgent<TOutput = unknown> extends MultiStepAgent<TOutput> {
  readonly toolCallMode: 'native' | 'text';
  readonly maxParallelToolCalls: number;
  readonly textIsFinalAnswer: boolean;
  readonly prompts: ToolCallingPrompts;
  #ids = 0;

  constructor(options: ToolCallingAgentOptions<TOutput>) {
    super(options);
    const mode = options.toolCallMode ?? 'auto';
    this.toolCallMode = mode === 'auto' ? (options.model.capabilities?.toolCalls === false ? 'text' : 'native') : mode;
    this.maxParallelToolCalls = options.maxParallelToolCalls ?? Number.POSITIVE_INFINITY;
    this.textIsFinalAnswer = options.textIsFinalAnswer ?? true;
    this.prompts = checkPrompts(options.prompts, DEFAULT_PROMPTS, PROMPT_PLACEHOLDERS, 'prompts');
    // The model ends a run by calling `final_answer` (unless the user brought their own). Under an
    // output schema its arguments show the schema, but the answer is validated once, by the loop:
    // parsing it here too would run the schema's transforms twice.
    if (!this.toolbox.has(FINAL_ANSWER_TOOL_NAME)) {
      const plain = finalAnswerTool();
      this.toolbox.add(
        this.outputSchema ? Object.freeze({ ...plain, inputJSONSchema: toolInputJSONSchema(finalAnswerTool(this.outputSchema)) }) : plain,
      );
    }
  }

  protected override buildSystemPrompt(available: readonly AnyTool[]): string {
    const text = this.toolCallMode === 'text';
    const tools = available
      .map((t) => (text ? describeWithSchema(t) : `- ${t.name}: ${t.description}`))
      .join('\n');
    const instructions = this.instructions
      ? renderTemplate(this.prompts.instructions, { instructions: this.instructions })
      : '';
    return renderTemplate(text ? this.prompts.textActions : this.prompts.system, { tools, instructions }).trim();
  }

  protected override async executeStep(step: ActionStep, context: StepContext): Promise<void> {
    const native = this.toolCallMode === 'native';
    const definitions: ModelToolDefinition[] = context.toolDefinitions();
    const response = await context.callModel(native ? { tools: definitions, toolChoice: context.toolChoice ?? 'auto' } : {});
    const text = step.modelOutput?.text.trim() ?? '';
    const calls: ToolCallContent[] = native
      ? response.content.filter((p): p is ToolCallContent => p.type === 'tool-call')
      : parseTextToolCalls(text, () => `call_${++this.#ids}`);

    if (calls.length === 0) {
      if (response.refusal !== undefined || response.finishReason === 'content-filter') {
        step.error = {
          name: 'ModelRefusal',
          message: `The model declined to answer${response.refusal ? `: ${response.refusal}` : ''}.`,
        };
      } else if (text !== '' && this.textIsFinalAnswer) {
        step.finalAnswer = { value: text };
      } else if (text !== '') {
        step.error = { name: 'NoToolCall', message: 'Your reply called no tool. Call a tool, or final_answer.' };
      } else {
        step.error = {
          name: 'EmptyReply',
          message: `Your reply was empty${response.finishReason === 'length' ? ' (cut off at the output token limit)' : ''}. Call a tool, or call final_answer with your answer.`,
        };
      }
      return;
    }

    step.toolCalls = await this.#dispatch(calls, step, context);
    step.observation = step.toolCalls
      .map((c) => `${c.toolName}: ${c.error ? `error: ${c.error.message}` : formatToolOutput(c.output)}`)
      .join('\n');
  }

  /** Validates and runs the calls of one step, at most `maxParallelToolCalls` at a time. */
  async #dispatch(calls: ToolCallContent[], step: ActionStep, context: StepContext): Promise<ToolCallRecord[]> {
    const records: ToolCallRecord[] = new Array(calls.length);
    let next = 0;
    const worker = async () => {
      while (next < calls.length) {
        const index = next++;
        records[index] = await this.#callOne(calls[index]!, step, context);
      }
    };
    const width = Math.max(1, Math.min(this.maxParallelToolCalls, calls.length));
    await Promise.all(Array.from({ length: width }, worker));
    return records;
  }

  async #callOne(call: ToolCallContent, step: ActionStep, context: StepContext): Promise<ToolCallRecord> {
    const isFinal = call.toolName === FINAL_ANSWER_TOOL_NAME;
    const { record, outcome } = await context.callTool(call, {
      storeOutput: (output) => {
        if (isFinal) return FINAL_ANSWER_RECORDED;
        if (toolResultOutput(output).type === 'content') return output; // Images stay whole.
        const cut = truncateText(formatToolOutput(output), this.maxObservationLength);
        return cut.truncated ? cut.text : output;
      },
      // A JSON tool call can wait for a decision made after the run: its state is plain data.
      canDefer: true,
    });
    if (isFinal && outcome.ok) step.finalAnswer = { value: outcome.output };
    return record;
  }
}

function describeWithSchema(tool: AnyTool): string {
  return `- ${tool.name}: ${tool.description}\n  arguments: ${JSON.stringify(toolInputJSONSchema(tool))}`;
}
