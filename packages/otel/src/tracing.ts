import {
  type AgentHooks,
  type AnyTool,
  type CodeExecutor,
  combineHooks,
  currentRun,
  isRunInProgress,
  type ExecuteOptions,
  type ExecutionResult,
  isAbortError,
  isPromiseLike,
  type Model,
  type ModelCallOptions,
  type ModelResponse,
  type ModelStreamPart,
  type RunEvent,
  type RunResult,
  StreamAccumulator,
} from '@actkit/core';
import { type Attributes, type Context, context, type Span, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import { inputMessagesAttributes, outputMessagesAttributes, providerName, requestAttributes, responseAttributes, usageAttributes } from './attributes.js';

export interface TracingOptions {
  /** Default: the tracer of whatever provider is installed globally (a no-op without one). */
  tracer?: Tracer;
  /** Record prompts, completions, tool arguments/results and code (off by default: they may hold personal data). */
  recordContent?: boolean;
}

/** What `withTracing` instruments: the options of either agent. */
export interface TraceableOptions {
  model: Model;
  tools?: readonly AnyTool[];
  hooks?: AgentHooks;
  /** An executor, or a function making one per concurrent run (each made one is traced). */
  executor?: CodeExecutor | (() => CodeExecutor);
}

type Scope = { span: Span; context: Context };

/** The open spans of one run. */
interface RunTrace {
  run: Scope & { recording: boolean };
  step: Scope | undefined;
  code: Scope | undefined;
  /** Tool calls a wrapped tool traced itself; the others (validation failures, denials, built-in tools) are traced from their events. */
  traced: Set<string>;
  /** With recordContent: each call's arguments, from its tool-call event, for a span rebuilt from its result's event. */
  inputs: Map<string, unknown>;
}

/**
 * The spans of one agent's runs — several may be in progress at once. Run and step spans come
 * from the run's events (through hooks, which name their run); model calls, tool calls and code
 * actions are timed by wrapping the model, the tools and the executor, which find their run by
 * `currentRun()` (a run executes its work inside its scope).
 */
class AgentTrace {
  readonly #runs = new Map<string, RunTrace>();

  constructor(
    readonly tracer: Tracer,
    readonly recordContent: boolean,
  ) {}

  /** The run whose work is executing now, when it is one of this agent's. */
  #current(): RunTrace | undefined {
    const runId = currentRun()?.runId;
    return runId === undefined ? undefined : this.#runs.get(runId);
  }

  /**
   * Starts a span under the innermost open scope of the current run, or returns undefined when
   * nothing would be recorded (no tracer provider, a run not sampled): callers then call straight through.
   */
  start(name: string, kind: SpanKind, attributes: Attributes, startTime?: number, run = this.#current()): Scope | undefined {
    if (run && !run.run.recording) return undefined;
    const parent = (run ? (run.code ?? run.step ?? run.run).context : undefined) ?? context.active();
    const span = this.tracer.startSpan(name, { kind, attributes, ...(startTime ? { startTime } : {}) }, parent);
    if (!span.isRecording()) {
      span.end();
      return undefined;
    }
    return { span, context: trace.setSpan(parent, span) };
  }

  markTraced(toolCallId: string): void {
    this.#current()?.traced.add(toolCallId);
  }

  /** Sets the code action in progress of the current run (its tool calls nest under it). */
  setCode(scope: Scope | undefined): void {
    const run = this.#current();
    if (run) run.code = scope;
  }

  readonly hooks: AgentHooks = {
    onEvent: (event, hookContext) => this.#onEvent(event, hookContext.runId, hookContext.agent),
  };

  #onEvent(event: RunEvent, runId: string, agent: AgentInfo): void {
    const run = this.#runs.get(runId);
    switch (event.type) {
      case 'run-start': {
        // A run that ended by throwing got no run-finish: its spans end when the next run starts, at the latest.
        for (const [id, stale] of this.#runs) {
          if (!isRunInProgress(id)) this.#endRun(id, stale, SpanStatusCode.ERROR, 'The run ended with an error.');
        }
        const attributes: Attributes = {
          'gen_ai.operation.name': 'invoke_agent',
          'gen_ai.agent.name': event.agentName,
          'actkit.run.id': event.runId,
        };
        if (agent?.description) attributes['gen_ai.agent.description'] = agent.description;
        if (agent?.model) {
          attributes['gen_ai.provider.name'] = providerName(agent.model.provider);
          attributes['gen_ai.request.model'] = agent.model.modelId;
        }
        if (this.recordContent) attributes['gen_ai.input.messages'] = JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: event.task.task }] }]);
        // The run span is the child of whatever is active: the caller's span, or the tool span of a managing agent.
        const parent = context.active();
        const span = this.tracer.startSpan(`invoke_agent ${event.agentName}`, { kind: SpanKind.INTERNAL, attributes }, parent);
        this.#runs.set(event.runId, {
          run: { span, context: trace.setSpan(parent, span), recording: span.isRecording() },
          step: undefined,
          code: undefined,
          traced: new Set(),
          inputs: new Map(),
        });
        break;
      }
      case 'step-start': {
        if (!run) break;
        const scope = this.start('actkit.step', SpanKind.INTERNAL, { 'actkit.step.number': event.stepNumber }, undefined, run);
        if (scope) run.step = scope;
        break;
      }
      case 'step-finish': {
        if (!run?.step) break;
        const { step } = event;
        // A step error is an observation the model reads and fixes, not a failed span.
        if (step.error) run.step.span.setAttributes({ 'actkit.step.error': step.error.message, 'actkit.step.error.type': step.error.name });
        if (step.finalAnswer) run.step.span.setAttribute('actkit.step.final_answer', true);
        run.step.span.end();
        run.step = undefined;
        break;
      }
      case 'tool-call':
        if (run?.run.recording && this.recordContent) run.inputs.set(event.toolCallId, event.input);
        break;
      case 'tool-result': {
        const input = run?.inputs.get(event.toolCallId);
        run?.inputs.delete(event.toolCallId);
        if (!run || run.traced.delete(event.toolCallId) || !run.run.recording) break;
        const ended = Date.now();
        const scope = this.start(`execute_tool ${event.toolName}`, SpanKind.INTERNAL, toolAttributes(event.toolName, event.toolCallId), ended - event.durationMs, run);
        if (!scope) break;
        // Rebuilt from the event: it never reached a wrapped tool's run (bad arguments, a denied approval, final_answer).
        scope.span.setAttribute('actkit.tool.traced_from', 'event');
        if (this.recordContent) {
          // The arguments as the model sent them: for bad arguments, what a reader wants to see.
          if (input !== undefined) scope.span.setAttribute('gen_ai.tool.call.arguments', text(input));
          if (event.output !== undefined) scope.span.setAttribute('gen_ai.tool.call.result', text(event.output));
        }
        if (event.error) setError(scope.span, event.error.name, event.error.message);
        scope.span.end(ended);
        break;
      }
      case 'approval-request':
        run?.step?.span.addEvent('actkit.approval.request', { 'gen_ai.tool.name': event.request.toolName, 'actkit.approval.id': event.request.id });
        break;
      case 'approval-decision':
        run?.step?.span.addEvent('actkit.approval.decision', { 'actkit.approval.id': event.id, 'actkit.approval.approved': event.decision.approved });
        break;
      case 'run-finish':
        if (run) this.#finishRun(runId, run, event.result);
        break;
      default:
        break;
    }
  }

  #finishRun(runId: string, run: RunTrace, result: RunResult): void {
    if (!run.run.recording) {
      this.#runs.delete(runId);
      return;
    }
    run.run.span.setAttributes({ 'actkit.run.state': result.state, 'actkit.run.steps': result.steps.filter((s) => s.type === 'action').length, ...usageAttributes(result.usage) });
    if (this.recordContent && result.output !== undefined) {
      run.run.span.setAttribute('gen_ai.output.messages', JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: text(result.output) }] }]));
    }
    // Ran out of steps or was cancelled: the task was not done. Stopping and waiting for approval are normal ends.
    const failed = result.state === 'aborted' || result.state === 'max_steps';
    this.#endRun(runId, run, failed ? SpanStatusCode.ERROR : SpanStatusCode.UNSET, failed ? `The run ended: ${result.state}${result.stopReason ? ` (${result.stopReason})` : ''}` : undefined);
  }

  /**
   * The current run is ending by an error thrown out of the loop (a model call or the executor
   * failed): no run-finish event will come, so its spans end here.
   */
  fail(error: unknown): void {
    const runId = currentRun()?.runId;
    const run = runId === undefined ? undefined : this.#runs.get(runId);
    if (!run?.run.recording || isAbortError(error)) return;
    this.#endRun(runId!, run, SpanStatusCode.ERROR, (error as Error)?.message ?? String(error), error);
  }

  #endRun(runId: string, run: RunTrace, code: SpanStatusCode, message?: string, error?: unknown): void {
    if (error instanceof Error) run.run.span.recordException(error);
    for (const scope of [run.code, run.step, run.run]) {
      if (!scope) continue;
      if (code === SpanStatusCode.ERROR) setError(scope.span, (error as Error)?.name ?? 'actkit.run_error', message ?? 'The run failed.');
      scope.span.end();
    }
    this.#runs.delete(runId);
  }
}

type AgentInfo = { description?: string; model?: Model } | undefined;

/**
 * Traces an agent with OpenTelemetry, following the GenAI semantic conventions:
 *
 *     const agent = new CodeAgent(withTracing({ model, tools, executor }));
 *
 *     invoke_agent <name>          one per run, under the caller's active span
 *     ├ chat <model>               a planning call
 *     └ actkit.step                one per step
 *       ├ chat <model>             gen_ai.request.model, gen_ai.usage.*, gen_ai.response.finish_reasons
 *       ├ execute_tool <tool>      gen_ai.tool.name, gen_ai.tool.call.id (JSON tool calls)
 *       └ actkit.code_action       a code action, with its tool calls inside
 *         └ execute_tool <tool>
 *
 * The model, tools and executor are wrapped (so each span has its real duration and what runs
 * inside them nests under them), and tracing hooks are added to the agent's own. Call it once
 * per agent. Only `@opentelemetry/api` is used: any SDK and exporter works, and without an
 * installed tracer provider every wrapper calls straight through.
 */
export function withTracing<T extends TraceableOptions>(options: T, tracing: TracingOptions = {}): T {
  const state = new AgentTrace(tracing.tracer ?? trace.getTracer('@actkit/otel'), tracing.recordContent ?? false);
  return {
    ...options,
    model: tracedModel(options.model, state),
    ...(options.tools ? { tools: options.tools.map((t) => tracedTool(t, state)) } : {}),
    ...(options.executor ? { executor: tracedExecutorOption(options.executor, state) } : {}),
    hooks: options.hooks ? combineHooks(state.hooks, options.hooks) : state.hooks,
  };
}

/** A model whose calls are `chat` spans under the active span, for use outside agents. */
export function traceModel(model: Model, tracing: TracingOptions = {}): Model {
  return tracedModel(model, new AgentTrace(tracing.tracer ?? trace.getTracer('@actkit/otel'), tracing.recordContent ?? false));
}

function tracedModel(model: Model, state: AgentTrace): Model {
  const start = (call: ModelCallOptions) => {
    const scope = state.start(`chat ${model.modelId}`, SpanKind.CLIENT, requestAttributes(model.provider, model.modelId, call));
    if (scope && state.recordContent) scope.span.setAttributes(inputMessagesAttributes(call.messages));
    return scope;
  };
  const finish = (scope: Scope, response: ModelResponse) => {
    scope.span.setAttributes(responseAttributes(response));
    if (state.recordContent) scope.span.setAttributes(outputMessagesAttributes(response.content, response.finishReason));
    scope.span.end();
  };
  const failed = (scope: Scope, error: unknown) => {
    endWithError(scope.span, error);
    state.fail(error); // a failed model call ends the run
  };
  return intercept(model, {
    generate(call: ModelCallOptions): Promise<ModelResponse> {
      const scope = start(call);
      if (!scope) return model.generate(call);
      return context.with(scope.context, async () => {
        try {
          const response = await model.generate(call);
          finish(scope, response);
          return response;
        } catch (error) {
          failed(scope, error);
          throw error;
        }
      });
    },
    stream(call: ModelCallOptions): AsyncIterable<ModelStreamPart> {
      const scope = start(call);
      if (!scope) return model.stream(call);
      return (async function* () {
        // Each pull runs in the span's context, so the provider's HTTP spans nest under it.
        const parts = context.with(scope.context, () => model.stream(call)[Symbol.asyncIterator]());
        const response = new StreamAccumulator();
        let ended = false;
        let streamedError: { error: unknown } | undefined;
        try {
          for (;;) {
            const next = await context.with(scope.context, () => parts.next());
            if (next.done) break;
            if (next.value.type === 'error') streamedError = { error: next.value.error };
            else response.add(next.value);
            yield next.value;
          }
          ended = true;
          if (response.finished) finish(scope, response.response());
          else failed(scope, new Error('The model stream ended before the reply was complete.'));
        } catch (error) {
          ended = true;
          failed(scope, error);
          throw error;
        } finally {
          if (!ended && streamedError) failed(scope, streamedError.error);
          else if (!ended) {
            // The consumer stopped early (an abort): the call is over, not failed.
            scope.span.setAttribute('actkit.stream.cancelled', true);
            scope.span.end();
          }
          if (!ended) await parts.return?.();
        }
      })();
    },
  });
}

function tracedTool(tool: AnyTool, state: AgentTrace): AnyTool {
  return Object.freeze({
    ...tool,
    run(input: unknown, toolContext: Parameters<AnyTool['run']>[1]) {
      const attributes = toolAttributes(tool.name, toolContext.toolCallId);
      attributes['gen_ai.tool.description'] = tool.description;
      const scope = state.start(`execute_tool ${tool.name}`, SpanKind.INTERNAL, attributes);
      if (!scope) return tool.run(input, toolContext);
      state.markTraced(toolContext.toolCallId);
      if (state.recordContent) scope.span.setAttribute('gen_ai.tool.call.arguments', JSON.stringify(input));
      const succeeded = (output: unknown) => {
        if (state.recordContent) scope.span.setAttribute('gen_ai.tool.call.result', text(output));
        scope.span.end();
        return output;
      };
      const failed = (error: unknown): never => {
        endWithError(scope.span, error);
        throw error;
      };
      // Run inside the span: a managed agent called as a tool starts its run span under it. A tool
      // that answers at once is answered at once here too (a synchronous tool must stay one).
      return context.with(scope.context, () => {
        try {
          const output = tool.run(input, toolContext);
          return isPromiseLike(output) ? Promise.resolve(output).then(succeeded, failed) : succeeded(output);
        } catch (error) {
          return failed(error);
        }
      });
    },
  });
}

function tracedExecutorOption(executor: CodeExecutor | (() => CodeExecutor), state: AgentTrace): CodeExecutor | (() => CodeExecutor) {
  return typeof executor === 'function' ? () => tracedExecutor(executor(), state) : tracedExecutor(executor, state);
}

function tracedExecutor(executor: CodeExecutor, state: AgentTrace): CodeExecutor {
  return intercept(executor, {
    execute(code: string, options: ExecuteOptions): Promise<ExecutionResult> {
      const scope = state.start('actkit.code_action', SpanKind.INTERNAL, { 'actkit.code.lines': code.split('\n').length });
      if (!scope) return executor.execute(code, options);
      if (state.recordContent) scope.span.setAttribute('actkit.code.source', code);
      state.setCode(scope); // tool calls made by the code nest under it
      return context.with(scope.context, async () => {
        try {
          const result = await executor.execute(code, options);
          scope.span.setAttribute('actkit.code.duration_ms', result.durationMs);
          if (result.stateLost) scope.span.setAttribute('actkit.code.state_lost', true);
          if (state.recordContent) scope.span.setAttribute('actkit.code.logs', result.logs);
          // The code's own errors are observations for the model, but the action did fail.
          if (result.error) {
            setError(scope.span, result.error.name, result.error.message);
            scope.span.setAttribute('actkit.code.error.kind', result.error.kind);
          }
          scope.span.end();
          return result;
        } catch (error) {
          endWithError(scope.span, error);
          state.fail(error); // the executor itself failed: the run ends
          throw error;
        } finally {
          state.setCode(undefined);
        }
      });
    },
  });
}

/** The same object with some methods replaced; everything else (fields, other methods, `instanceof`) still works. */
function intercept<T extends object>(target: T, overrides: Partial<T>): T {
  return new Proxy(target, {
    get(obj, key) {
      if (Object.hasOwn(overrides, key)) return overrides[key as keyof T];
      const value = Reflect.get(obj, key, obj);
      return typeof value === 'function' ? value.bind(obj) : value;
    },
  });
}

function toolAttributes(name: string, toolCallId: string): Attributes {
  return { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': name, 'gen_ai.tool.call.id': toolCallId, 'gen_ai.tool.type': 'function' };
}

function endWithError(span: Span, error: unknown): void {
  if (error instanceof Error) span.recordException(error);
  const statusCode = (error as { statusCode?: unknown })?.statusCode;
  if (typeof statusCode === 'number') span.setAttribute('http.response.status_code', statusCode);
  setError(span, (error as Error)?.name ?? 'Error', (error as Error)?.message ?? String(error));
  span.end();
}

function setError(span: Span, type: string, message: string): void {
  span.setAttribute('error.type', type);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
}
