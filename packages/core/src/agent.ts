import type { AnyTool } from '@actkit/tools';
import { randomUUID } from 'node:crypto';
import {
  AgentAbortedError,
  AgentConfigError,
  AgentError,
  isAbortError,
  ModelCallError,
  ModelStreamError,
  serializeError,
} from './errors.js';
import { EventQueue } from './event-queue.js';
import type { RunEvent } from './events.js';
import {
  type ActionStep,
  AgentMemory,
  defaultWording,
  type MemoryStep,
  type MessageWording,
  memoryToMessages,
  type TaskStep,
} from './memory.js';
import {
  type FilePart,
  type Model,
  type ModelCallOptions,
  type ModelMessage,
  type ModelResponse,
  responseText,
} from './model.js';
import type { RunResult, RunState } from './result.js';
import { StreamAccumulator } from './stream.js';
import { Toolbox } from './toolbox.js';
import { addUsage, emptyUsage, sumUsage } from './usage.js';

/** Model settings every call of an agent uses. */
export type ModelSettings = Pick<
  ModelCallOptions,
  'temperature' | 'maxOutputTokens' | 'topP' | 'seed' | 'headers' | 'providerOptions'
>;

export interface AgentOptions {
  model: Model;
  tools?: readonly AnyTool[];
  /** The most action steps a run may take (default 20). */
  maxSteps?: number;
  /** Used in logs and when the agent is managed by another one. */
  name?: string;
  description?: string;
  /** Your instructions, added to the system prompt. */
  instructions?: string;
  /** Observations longer than this many characters are truncated (default 20 000). */
  maxObservationLength?: number;
  /** Values passed to every tool as `context.context`. */
  toolContext?: Record<string, unknown>;
  modelSettings?: ModelSettings;
  /** How observations, errors and tasks are worded in the messages. */
  wording?: Partial<MessageWording>;
}

export interface RunOptions {
  signal?: AbortSignal;
  /** Start from empty memory (default true). With `false` the new task continues the conversation. */
  reset?: boolean;
  /** Images or other files given with the task. */
  files?: FilePart[];
  /** Overrides the agent's `maxSteps` for this run. */
  maxSteps?: number;
}

/** What a step implementation gets from the loop. */
export interface StepContext {
  readonly runId: string;
  readonly signal: AbortSignal;
  /** True under `agent.stream()`: model calls stream and emit deltas. */
  readonly streaming: boolean;
  /** Sends an event to `agent.stream()` consumers. */
  emit(event: RunEvent): void;
}

/** A run in progress: iterate it for events; `result` settles when it ends. */
export interface AgentStream extends AsyncIterable<RunEvent> {
  readonly result: Promise<RunResult>;
}

const DEFAULT_MAX_STEPS = 20;
const DEFAULT_MAX_OBSERVATION = 20_000;

/**
 * The loop both agents share: model → action → observation → … → final answer. Subclasses
 * say how a step acts (`executeStep`) and what the system prompt is; everything else — memory,
 * events, limits, usage, timing, cancellation — lives here once.
 */
export abstract class MultiStepAgent {
  readonly model: Model;
  readonly toolbox: Toolbox;
  readonly name: string;
  readonly description: string;
  readonly instructions: string | undefined;
  maxSteps: number;
  readonly maxObservationLength: number;
  readonly modelSettings: ModelSettings;
  readonly toolContext: Record<string, unknown> | undefined;
  readonly wording: MessageWording;
  memory = new AgentMemory();
  #running = false;

  constructor(options: AgentOptions) {
    if (!options?.model || typeof options.model.generate !== 'function') {
      throw new AgentConfigError('An agent needs a `model` (an object with generate() and stream()).');
    }
    this.model = options.model;
    this.toolbox = new Toolbox(options.tools ?? []);
    this.name = options.name ?? this.constructor.name;
    this.description = options.description ?? '';
    this.instructions = options.instructions;
    this.maxSteps = positiveInteger(options.maxSteps ?? DEFAULT_MAX_STEPS, 'maxSteps');
    this.maxObservationLength = positiveInteger(
      options.maxObservationLength ?? DEFAULT_MAX_OBSERVATION,
      'maxObservationLength',
    );
    this.modelSettings = options.modelSettings ?? {};
    this.toolContext = options.toolContext;
    this.wording = { ...defaultWording, ...options.wording };
  }

  /** The system prompt for the coming run. */
  protected abstract buildSystemPrompt(): string;

  /**
   * Runs one action step: call the model, act, and record on `step` the observation, any
   * error the model should see, and `finalAnswer` when the run is done. Errors the model
   * cannot fix are thrown.
   */
  protected abstract executeStep(step: ActionStep, context: StepContext): Promise<void>;

  /** Runs a task to the end and returns the result. */
  run(task: string, options: RunOptions = {}): Promise<RunResult> {
    return this.stream(task, options, false).result;
  }

  /** Runs a task, yielding events as they happen (model deltas stream too). */
  stream(task: string, options: RunOptions = {}, streaming = true): AgentStream {
    const generator = this.#loop(task, options, streaming);
    let settle!: { resolve: (r: RunResult) => void; reject: (e: unknown) => void };
    const result = new Promise<RunResult>((resolve, reject) => {
      settle = { resolve, reject };
    });
    result.catch(() => {}); // A consumer that iterates sees the error there; don't also report it as unhandled.
    let taken = false;
    const iterate = async function* (): AsyncGenerator<RunEvent> {
      try {
        for (;;) {
          const next = await generator.next();
          if (next.done) {
            settle.resolve(next.value);
            return;
          }
          yield next.value;
        }
      } catch (error) {
        settle.reject(error);
        throw error;
      } finally {
        // A consumer that stops iterating early ends the run: work in flight is aborted.
        await generator.return(undefined as never);
        settle.reject(new AgentAbortedError('The run stream was closed before the run ended.'));
      }
    };
    return {
      [Symbol.asyncIterator]() {
        if (taken) throw new AgentError('A run stream can be iterated only once.');
        taken = true;
        return iterate();
      },
      get result() {
        if (!taken) {
          // Nobody iterates: drain the events ourselves so the run makes progress.
          taken = true;
          void (async () => {
            try {
              for await (const _ of iterate());
            } catch {
              // Reported through `result`.
            }
          })();
        }
        return result;
      },
    };
  }

  /** The model messages for the current memory (what the next model call will see). */
  messages(): ModelMessage[] {
    return memoryToMessages(this.memory, this.wording);
  }

  async *#loop(task: string, options: RunOptions, streaming: boolean): AsyncGenerator<RunEvent, RunResult> {
    if (typeof task !== 'string' || task.trim() === '') throw new AgentConfigError('A run needs a non-empty task.');
    if (this.#running) {
      throw new AgentError(`Agent "${this.name}" is already running; wait for it or create another agent.`);
    }
    this.#running = true;
    const runId = randomUUID();
    const abort = new AbortController();
    const onAbort = () => abort.abort(options.signal?.reason);
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const started = Date.now();
    const maxSteps = positiveInteger(options.maxSteps ?? this.maxSteps, 'maxSteps');
    try {
      if (options.reset !== false || this.memory.steps.length === 0) this.memory.reset(this.buildSystemPrompt());
      else this.memory.systemPrompt = this.buildSystemPrompt();
      const firstStep = this.memory.steps.length;
      const taskStep: TaskStep = { type: 'task', task, timing: { startedAt: started } };
      if (options.files?.length) taskStep.files = options.files.map(toStorableFile);
      this.memory.steps.push(taskStep);
      yield { type: 'run-start', runId, agentName: this.name, task: taskStep };

      let state: RunState | undefined;
      let output: unknown;
      let stepNumber = this.memory.actionSteps.reduce((n, s) => Math.max(n, s.stepNumber), 0);
      for (let taken = 0; taken < maxSteps; taken++) {
        if (abort.signal.aborted) {
          state = 'aborted';
          break;
        }
        const step = newActionStep(++stepNumber);
        yield { type: 'step-start', stepNumber: step.stepNumber };
        const outcome = yield* this.#runStep(step, { runId, signal: abort.signal, streaming });
        this.memory.steps.push(step);
        yield { type: 'step-finish', step };
        if (outcome === 'aborted') {
          state = 'aborted';
          break;
        }
        if (step.finalAnswer) {
          state = 'success';
          output = step.finalAnswer.value;
          break;
        }
      }
      if (state === undefined) {
        state = 'max_steps';
        const step = newActionStep(++stepNumber);
        yield { type: 'step-start', stepNumber: step.stepNumber };
        const outcome = yield* this.#runStep(step, { runId, signal: abort.signal, streaming }, (s, c) =>
          this.#answerFromMemory(s, c),
        );
        this.memory.steps.push(step);
        yield { type: 'step-finish', step };
        if (outcome === 'aborted') state = 'aborted';
        else output = step.finalAnswer?.value;
      }
      if (state !== 'aborted') yield { type: 'final-answer', output };
      const steps: MemoryStep[] = this.memory.steps.slice(firstStep);
      const ended = Date.now();
      const result: RunResult = {
        output,
        state,
        steps,
        usage: sumUsage(steps.map((s) => (s.type === 'task' ? emptyUsage() : s.usage))),
        timing: { startedAt: started, endedAt: ended, durationMs: ended - started },
        runId,
      };
      yield { type: 'run-finish', result };
      return result;
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      // Anything still running for this run (a tool, a model call) is told to stop.
      if (!abort.signal.aborted) abort.abort(new AgentAbortedError('The run has ended.'));
      this.#running = false;
    }
  }

  /**
   * Runs one step's work while relaying the events it emits. Returns 'aborted' when the run
   * was cancelled during the step; rethrows errors the model cannot fix, after recording the
   * step so that nothing is lost.
   */
  async *#runStep(
    step: ActionStep,
    base: Omit<StepContext, 'emit'>,
    work: (step: ActionStep, context: StepContext) => Promise<void> = (s, c) => this.executeStep(s, c),
  ): AsyncGenerator<RunEvent, 'done' | 'aborted'> {
    const queue = new EventQueue<RunEvent>();
    const context: StepContext = { ...base, emit: (event) => queue.push(event) };
    const t0 = performance.now();
    work(step, context).then(
      () => queue.end(),
      (error) => queue.fail(error),
    );
    try {
      yield* queue;
      return 'done';
    } catch (error) {
      if (base.signal.aborted || isAbortError(error)) {
        step.error = serializeError(new AgentAbortedError('The run was aborted during this step.'));
        return 'aborted';
      }
      step.error = serializeError(error);
      this.memory.steps.push(step);
      throw error;
    } finally {
      step.timing.endedAt = Date.now();
      step.timing.durationMs = performance.now() - t0;
    }
  }

  /** After the last allowed step: one more model call for the best answer from memory. */
  async #answerFromMemory(step: ActionStep, context: StepContext): Promise<void> {
    const messages: ModelMessage[] = [
      ...this.messages(),
      {
        role: 'user',
        content: [
          {
            type: 'text',
            text:
              'You have reached the maximum number of steps. Based on everything above, give your best final ' +
              'answer to the task now, as plain text, without calling tools or writing code.',
          },
        ],
      },
    ];
    const response = await this.callModel(step, context, { messages });
    step.finalAnswer = { value: responseText(response.content).trim() };
    step.observation = 'Maximum number of steps reached; answered from memory.';
  }

  /**
   * Calls the model for a step: streams under `stream()` (emitting deltas), records input,
   * output and usage on the step, and turns failures into typed errors.
   */
  protected async callModel(
    step: ActionStep,
    context: StepContext,
    options: Omit<ModelCallOptions, 'abortSignal'>,
  ): Promise<ModelResponse> {
    const callOptions: ModelCallOptions = { ...this.modelSettings, ...options, abortSignal: context.signal };
    step.modelInput = options.messages;
    let response: ModelResponse;
    try {
      if (context.streaming) {
        const acc = new StreamAccumulator();
        const names = new Map<string, string>();
        for await (const part of this.model.stream(callOptions)) {
          acc.add(part);
          if (part.type === 'text-delta') {
            context.emit({ type: 'text-delta', stepNumber: step.stepNumber, delta: part.delta });
          } else if (part.type === 'reasoning-delta') {
            context.emit({ type: 'reasoning-delta', stepNumber: step.stepNumber, delta: part.delta });
          } else if (part.type === 'tool-input-start') {
            names.set(part.id, part.toolName);
          } else if (part.type === 'tool-input-delta') {
            const toolName = names.get(part.id);
            context.emit({
              type: 'tool-input-delta',
              stepNumber: step.stepNumber,
              toolCallId: part.id,
              delta: part.delta,
              ...(toolName ? { toolName } : {}),
            });
          }
        }
        if (!acc.finished) throw new ModelStreamError('The model stream ended before the reply was complete.');
        response = acc.response();
      } else {
        response = await this.model.generate(callOptions);
      }
    } catch (error) {
      if (context.signal.aborted || isAbortError(error)) throw new AgentAbortedError(undefined, { cause: error });
      if (error instanceof AgentError) throw error;
      throw new ModelCallError(
        `Model call failed (${this.model.provider}/${this.model.modelId}): ${(error as Error)?.message ?? error}`,
        {
          cause: error,
          ...(typeof (error as { status?: unknown })?.status === 'number'
            ? { statusCode: (error as { status: number }).status }
            : {}),
        },
      );
    }
    step.usage = addUsage(step.usage, response.usage);
    const text = responseText(response.content);
    step.modelOutput = { content: response.content, text, finishReason: response.finishReason };
    context.emit({
      type: 'model-response',
      stepNumber: step.stepNumber,
      text,
      content: response.content,
      finishReason: response.finishReason,
      usage: response.usage,
    });
    return response;
  }
}

function newActionStep(stepNumber: number): ActionStep {
  return { type: 'action', stepNumber, timing: { startedAt: Date.now() }, toolCalls: [], usage: emptyUsage() };
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new AgentConfigError(`${name} must be a positive integer, got ${value}.`);
  return value;
}

/** Memory must serialise to JSON: binary file data is stored as base64 text. */
function toStorableFile(file: FilePart): FilePart {
  if (file.data instanceof Uint8Array) return { ...file, data: Buffer.from(file.data).toString('base64') };
  if (file.data instanceof URL) return { ...file, data: file.data.href };
  return file;
}
