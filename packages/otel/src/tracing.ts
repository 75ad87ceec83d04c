import type { AgentHooks, HookContext, Model, RunEvent } from '@actkit/core';
import { type Attributes, type Context, context as otelContext, type Span, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';

export interface TracingOptions {
  /** Default: `trace.getTracer('actkit')` from whatever provider is installed (a no-op without one). */
  tracer?: Tracer;
  /** Record prompts and completions on model spans (off by default: they may hold personal data). */
  recordContent?: boolean;
}

/**
 * OpenTelemetry spans for runs, steps, model calls, tool calls and code actions, following the
 * GenAI semantic conventions, built from an agent's events:
 *
 *   new CodeAgent({ …, hooks: createTracingHooks() })
 *
 *   invoke_agent <name>            one per run (nested under the caller's span: managed agents nest)
 *   └ actkit.step <n>
 *     ├ chat <model>               gen_ai.request.model, gen_ai.usage.*, gen_ai.response.finish_reasons
 *     ├ execute_tool <tool>        gen_ai.tool.name, gen_ai.tool.call.id
 *     └ actkit.code_action         the code action's execution
 *
 * Only `@opentelemetry/api` is used, so any SDK and exporter works; with none installed the
 * tracer is a no-op and nothing is recorded.
 */
export function createTracingHooks(options: TracingOptions = {}): AgentHooks {
  const tracer = options.tracer ?? trace.getTracer('actkit');
  // One tracing state per run: a managed agent is another agent with its own hooks, or the same hooks re-entered.
  const runs: RunTrace[] = [];
  return {
    onEvent(event: RunEvent, hookContext: HookContext) {
      if (event.type === 'run-start') {
        const model = (hookContext.agent as { model?: Model }).model;
        runs.push(new RunTrace(tracer, event, model, options.recordContent ?? false));
        return;
      }
      const run = runs.at(-1);
      if (!run) return;
      run.handle(event);
      if (event.type === 'run-finish') runs.pop();
    },
  };
}

class RunTrace {
  readonly #run: Span;
  readonly #runContext: Context;
  #step: { span: Span; context: Context; startedAt: number } | undefined;
  readonly #tools = new Map<string, Span>();
  #code: Span | undefined;

  constructor(
    private readonly tracer: Tracer,
    start: Extract<RunEvent, { type: 'run-start' }>,
    private readonly model: Model | undefined,
    private readonly recordContent: boolean,
  ) {
    this.#run = tracer.startSpan(`invoke_agent ${start.agentName}`, {
      kind: SpanKind.INTERNAL,
      attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': start.agentName, 'actkit.run.id': start.runId },
    });
    this.#runContext = trace.setSpan(otelContext.active(), this.#run);
  }

  handle(event: RunEvent): void {
    switch (event.type) {
      case 'step-start': {
        const span = this.tracer.startSpan(`actkit.step ${event.stepNumber}`, { attributes: { 'actkit.step.number': event.stepNumber } }, this.#runContext);
        this.#step = { span, context: trace.setSpan(this.#runContext, span), startedAt: Date.now() };
        break;
      }
      case 'model-response': {
        if (!this.#step) break;
        // The model call starts with the step; its end is the response.
        const attributes: Attributes = {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': this.model?.provider ?? 'unknown',
          'gen_ai.request.model': this.model?.modelId ?? 'unknown',
          'gen_ai.response.finish_reasons': [event.finishReason],
          'gen_ai.usage.input_tokens': event.usage.inputTokens.total ?? 0,
          'gen_ai.usage.output_tokens': event.usage.outputTokens.total ?? 0,
        };
        if (event.usage.inputTokens.cacheRead !== undefined) attributes['gen_ai.usage.cache_read.input_tokens'] = event.usage.inputTokens.cacheRead;
        if (this.recordContent) attributes['gen_ai.output.text'] = event.text;
        const span = this.tracer.startSpan(`chat ${this.model?.modelId ?? 'model'}`, { kind: SpanKind.CLIENT, startTime: this.#step.startedAt, attributes }, this.#step.context);
        span.end();
        break;
      }
      case 'tool-call': {
        const span = this.tracer.startSpan(
          `execute_tool ${event.toolName}`,
          { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': event.toolName, 'gen_ai.tool.call.id': event.toolCallId } },
          this.#step?.context ?? this.#runContext,
        );
        this.#tools.set(event.toolCallId, span);
        break;
      }
      case 'tool-result': {
        const span = this.#tools.get(event.toolCallId);
        if (!span) break;
        if (event.error) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: event.error.message });
          span.setAttribute('error.type', event.error.name);
        }
        span.end();
        this.#tools.delete(event.toolCallId);
        break;
      }
      case 'code':
        this.#code = this.tracer.startSpan('actkit.code_action', { attributes: { 'actkit.code.lines': event.code.split('\n').length } }, this.#step?.context ?? this.#runContext);
        break;
      case 'step-finish': {
        const { step } = event;
        if (this.#code) {
          if (step.error) this.#code.setStatus({ code: SpanStatusCode.ERROR, message: step.error.message });
          this.#code.end();
          this.#code = undefined;
        }
        if (this.#step) {
          if (step.error) this.#step.span.setAttribute('actkit.step.error', step.error.message);
          this.#step.span.end();
          this.#step = undefined;
        }
        break;
      }
      case 'run-finish': {
        const { result } = event;
        this.#run.setAttributes({
          'actkit.run.state': result.state,
          'gen_ai.usage.input_tokens': result.usage.inputTokens.total ?? 0,
          'gen_ai.usage.output_tokens': result.usage.outputTokens.total ?? 0,
        });
        if (result.state !== 'success') this.#run.setStatus({ code: SpanStatusCode.ERROR, message: result.stopReason ?? result.state });
        this.#run.end();
        break;
      }
      default:
        break;
    }
  }
}
