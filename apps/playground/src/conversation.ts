import { randomUUID } from 'node:crypto';
import {
  AGENT_LABELS,
  type AgentKind,
  type AppAgent,
  type ApprovalPolicy,
  createAgent,
  createModel,
  type ModelSpec,
  policyDecision,
  SetupError,
  type Task,
} from '@actkit/app-kit';
import type { AgentStream, ApprovalDecision, RunEvent } from '@actkit/core';
import type { ScriptedReply } from '@actkit/testing';
import { type Attachment, attachmentNote, imageParts, readAttachmentTool } from './attachments.js';
import { APPROVAL_TIMEOUT_MS, EXAMPLES, type PlaygroundSetup, SCRIPTED_LABEL, toolsOf } from './agents.js';

/** Scripted replies are paced so that a person can watch the steps arrive. */
const SCRIPTED_LATENCY_MS = 350;
const MAX_TASK_LENGTH = 4000;

/** An event of a turn, and — for an approval request the policy decided — how it was decided. */
export type TurnEvent = { event: RunEvent; decidedBy?: 'all' | 'none' };

/**
 * One conversation of the page: one agent (and its sandbox, for a CodeAgent) whose memory goes on
 * from question to question (`stream(task, { reset: false })`), and the files attached so far.
 */
export class Conversation {
  readonly id = randomUUID();
  lastUsed = Date.now();
  #turns = 0;
  #running: { abort: AbortController; stream: AgentStream } | undefined;

  private constructor(
    readonly agentKind: AgentKind,
    readonly spec: ModelSpec,
    readonly agent: AppAgent,
    /** The files attached so far, shared with `read_attachment` and tools' `context.context.attachments`. */
    readonly attachments: Map<string, Attachment>,
    /** The scripted model's replies for the question in progress. */
    readonly scriptedReplies: ScriptedReply[],
  ) {}

  static async start(agentKind: AgentKind, spec: ModelSpec, setup: PlaygroundSetup): Promise<Conversation> {
    // The scripted model asks for each reply here: every question replays its own example's replies.
    const replies: ScriptedReply[] = [];
    const script: ScriptedReply = () => {
      const reply = replies.shift();
      if (reply === undefined) throw new SetupError('usage', 'The scripted model has no recorded reply left for this question.');
      return reply;
    };
    const attachments = new Map<string, Attachment>();
    const model = createModel(spec, [script], { latencyMs: SCRIPTED_LATENCY_MS, loop: true });
    const agent = await createAgent({
      agent: agentKind,
      model,
      tools: [...toolsOf(setup), readAttachmentTool(attachments)],
      maxSteps: 10,
      approval: { timeoutMs: APPROVAL_TIMEOUT_MS },
      toolContext: { attachments },
    });
    return new Conversation(agentKind, spec, agent, attachments, replies);
  }

  get running(): boolean {
    return this.#running !== undefined;
  }

  /** For the page's header: who answers. */
  describe() {
    return {
      id: this.id,
      agent: this.agentKind,
      agentLabel: AGENT_LABELS[this.agentKind],
      model: this.spec.provider === 'scripted' ? SCRIPTED_LABEL : this.spec.label,
      modelId: this.spec.modelId,
      scripted: this.spec.provider === 'scripted',
    };
  }

  /**
   * One question and its answer. The policy decides approval requests it can (`all`, `none`); the
   * others wait for `respond()` from the page's buttons. `signal` (the page went away) stops it.
   */
  async *turn(task: string, files: Attachment[], policy: ApprovalPolicy, signal: AbortSignal): AsyncGenerator<TurnEvent> {
    if (this.#running) throw new SetupError('usage', 'This conversation is still running: stop it or wait for its answer.');
    const example = checkQuestion(task, this.spec);
    if (example?.scripted) this.scriptedReplies.splice(0, Infinity, ...example.scripted[this.agentKind]);
    for (const file of files) this.attachments.set(file.name, file);
    const abort = new AbortController();
    const onAbort = () => abort.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    // The first question starts the memory; every later one continues it.
    const stream = this.agent.stream(task + attachmentNote(files), {
      signal: abort.signal,
      reset: this.#turns === 0,
      ...(files.length ? { files: imageParts(files) } : {}),
    });
    this.#turns += 1;
    this.#running = { abort, stream };
    try {
      for await (const event of stream) {
        this.lastUsed = Date.now();
        if (event.type === 'approval-request') {
          const decided = policyDecision(policy, event.request.toolName);
          if (decided !== 'ask') {
            stream.respond(event.request.id, decided);
            yield { event, decidedBy: decided.approved ? 'all' : 'none' };
            continue;
          }
        }
        yield { event };
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.#running = undefined;
      this.lastUsed = Date.now();
    }
  }

  /** The page's answer to an approval request of the turn in progress; false if none waits with this id. */
  respond(id: string, decision: ApprovalDecision): boolean {
    return this.#running?.stream.respond(id, decision) ?? false;
  }

  /** Stops the turn in progress; it still ends with its totals. */
  stop(): boolean {
    if (!this.#running) return false;
    this.#running.abort.abort();
    return true;
  }

  async close(): Promise<void> {
    this.stop();
    await this.agent.close?.();
  }
}

/**
 * A question this model can take, checked before anything starts; for the scripted model, the
 * example task whose recorded replies answer it.
 */
export function checkQuestion(task: string, spec: ModelSpec): Task | undefined {
  if (!task) throw new SetupError('usage', 'Write a task first (or pick an example).');
  if (task.length > MAX_TASK_LENGTH) throw new SetupError('usage', `The task is too long (${task.length} characters; at most ${MAX_TASK_LENGTH}).`);
  if (spec.provider !== 'scripted') return undefined;
  const example = EXAMPLES.find((t) => t.task === task);
  if (!example?.scripted) {
    throw new SetupError('usage', 'The scripted model only knows the example tasks: pick one from the list, or choose a real model for your own task.');
  }
  return example;
}
