import { describe, expect, it } from 'vitest';
import { AgentMemory, memoryToMessages } from '../src/memory.js';
import { type ActionStep } from '../src/run-record.js';
import { MessageLog } from '../src/message-log.js';
import { emptyUsage } from '../src/usage.js';

function action(stepNumber: number, observation: string): ActionStep {
  return { type: 'action', stepNumber, timing: { startedAt: 0 }, toolCalls: [], observation, usage: emptyUsage() };
}

function memoryWith(steps: number): AgentMemory {
  const memory = new AgentMemory();
  memory.reset('system prompt');
  memory.steps.push({ type: 'task', task: 'the task', timing: { startedAt: 0 } });
  for (let i = 1; i <= steps; i++) memory.steps.push(action(i, `result ${i}`));
  return memory;
}

describe('MessageLog', () => {
  it('renders what memoryToMessages renders', () => {
    const memory = memoryWith(4);
    expect(new MessageLog().messages(memory)).toEqual(memoryToMessages(memory));
  });

  it('renders each earlier step once: its messages are the same objects at the next step', () => {
    const memory = memoryWith(3);
    const log = new MessageLog();
    const first = log.messages(memory);
    memory.steps.push(action(4, 'result 4'));
    const second = log.messages(memory);
    expect(second).toHaveLength(first.length + 1);
    // Every message before the newest step is the very object sent before (so byte-identical on the wire).
    for (let i = 1; i < first.length - 1; i++) expect(second[i]).toBe(first[i]);
    expect(second).toEqual(memoryToMessages(memory));
  });

  it('renders the newest step again (the loop may still add to it), and a replaced step anew', () => {
    const memory = memoryWith(3);
    const log = new MessageLog();
    log.messages(memory);
    (memory.steps[3] as ActionStep).error = { name: 'RepeatedToolCall', message: 'nudge' };
    expect(log.messages(memory)).toEqual(memoryToMessages(memory));
    memory.steps[1] = action(1, 'replaced');
    const after = log.messages(memory);
    expect(after).toEqual(memoryToMessages(memory));
    expect(JSON.stringify(after)).toContain('replaced');
  });

  it('starts over for another memory or a reset one', () => {
    const log = new MessageLog();
    const memory = memoryWith(3);
    log.messages(memory);
    const other = memoryWith(1);
    expect(log.messages(other)).toEqual(memoryToMessages(other));
    memory.reset('new system');
    memory.steps.push({ type: 'task', task: 'next', timing: { startedAt: 0 } });
    expect(log.messages(memory)).toEqual(memoryToMessages(memory));
  });

  it('keeps a size for each step', () => {
    const memory = memoryWith(2);
    const log = new MessageLog();
    const chars = log.stepChars(memory);
    expect(chars).toHaveLength(3);
    expect(chars[1]).toBeGreaterThan('result 1'.length);
  });
});
