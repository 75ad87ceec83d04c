import { actionSteps } from '@actkit/core';
import { LocalExecutor } from '@actkit/executor-local';
import { describe, expect, it } from 'vitest';
import { ANALYST_TASK, analystScript, dataAnalyst, FIBONACCI_TASK } from '../src/data-analyst.js';
import { SUPPORT_TASK, supportRouter, supportScript } from '../src/support-router.js';

describe('the demo apps', () => {
  it('routes the support request: looks up, recovers from a bad argument, tickets and escalates', async () => {
    const tickets: Array<Record<string, unknown>> = [];
    const result = await supportRouter(supportScript(), tickets).run(SUPPORT_TASK);
    expect(result.state).toBe('success');
    expect(result.output).toContain('T-1001');
    const steps = actionSteps(result);
    expect(steps[1]!.toolCalls[0]!.error?.message).toMatch(/create_ticket.*priority/);
    expect(steps[2]!.toolCalls.map((c) => c.toolName)).toEqual(['create_ticket', 'escalate_to_human']);
    expect(tickets).toEqual([expect.objectContaining({ team: 'billing', priority: 'high' })]);
  });

  it('computes week-over-week changes and the 118th Fibonacci number exactly, in code', async () => {
    const agent = dataAnalyst(analystScript(), new LocalExecutor());
    try {
      const analysis = await agent.run(ANALYST_TASK);
      expect(analysis.output).toMatchObject({ flagged: ['signups', 'churned'] });
      expect(actionSteps(analysis)[0]!.codeToolCalls!.map((c) => c.toolName)).toEqual([
        'signups_daily',
        'revenue_daily',
        'churned_daily',
      ]);
      const fib = await agent.run(FIBONACCI_TASK);
      expect(fib.output).toBe('2046711111473984623691759');
    } finally {
      await agent.close();
    }
  });
});
