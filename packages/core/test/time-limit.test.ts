import { describe, expect, it } from 'vitest';
import { type ActionStep, MultiStepAgent, type StepContext, timeLimit } from '../src/index.js';
import { listModel } from './list-model.js';

class EchoAgent extends MultiStepAgent {
  protected override buildSystemPrompt(): string {
    return 'Echo.';
  }
  protected override async executeStep(step: ActionStep, context: StepContext): Promise<void> {
    await context.callModel();
    step.observation = `echo ${step.modelOutput!.text}`;
  }
}

/** A model call that never ends on its own: it settles only when its signal aborts. */
const hangs = (call: { abortSignal?: AbortSignal }) =>
  new Promise<string>((_, reject) => call.abortSignal!.addEventListener('abort', () => reject(call.abortSignal!.reason), { once: true }));

describe('timeLimit', () => {
  it('cuts a model call that never ends: the run stops with the reason, the step is kept', async () => {
    const model = listModel(['one', hangs]);
    const agent = new EchoAgent({ model, stopWhen: timeLimit(300), maxSteps: 5 });
    const result = await agent.run('go');
    expect(result.state).toBe('stopped');
    expect(result.stopReason).toBe('time limit of 300 ms reached');
    expect(result.stoppedBy).toBe('stop-condition');
    const steps = result.steps.filter((s): s is ActionStep => s.type === 'action');
    expect(steps).toHaveLength(2);
    expect(steps[1]!.error?.message).toBe("The run's time limit of 300 ms reached during this step.");
    expect(model.calls[1]!.abortSignal!.aborted).toBe(true);
  });

  it('also cuts a streamed call, and a later run of the same agent gets its own full time', async () => {
    const model = listModel([hangs, 'one', 'best']);
    const agent = new EchoAgent({ model, stopWhen: [timeLimit(60_000), timeLimit(200)], maxSteps: 1 });
    const stream = agent.stream('go');
    for await (const _ of stream);
    expect((await stream.result).state).toBe('stopped');
    const again = await agent.run('go again');
    // The shorter limit counts; the next run starts its clock again (its one step and the best answer run).
    expect(again.state).toBe('max_steps');
    expect(again.output).toBe('best');
  });
});
