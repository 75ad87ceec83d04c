import { jsonSchemaTool } from '@actkit/core';
import type { WireReply } from './servers/scripted-server.js';

/**
 * A long run for tests and benches of what a run costs: the agent reads a report one page per
 * step (each page about 1 600 characters, as a real tool's output would be), then answers with
 * the sum of the pages' figures. The replies work on the Anthropic and OpenAI wire servers, for
 * a ToolCallingAgent (`tool-calling`: native tool calls) or a CodeAgent (`code`: code actions).
 */
export type LongRunKind = 'tool-calling' | 'code';

/** The figure printed on a page. */
export const pageFigure = (page: number) => page * 7;

/** The answer of a run of `steps` steps: the sum of the figures of the pages read (one per step but the last). */
export const longRunAnswer = (steps: number) => Array.from({ length: steps - 1 }, (_, i) => pageFigure(i + 1)).reduce((a, b) => a + b, 0);

export const longRunTask = (steps: number) =>
  `Read pages 1 to ${steps - 1} of the quarterly report with read_page, one page per step, then give the sum of their figures.`;

/** The report's pages: deterministic text of about 1 600 characters, ending with the page's figure. */
export function pageText(page: number): string {
  const words = ['revenue', 'churn', 'cohort', 'margin', 'pipeline', 'forecast', 'region', 'quarter', 'retention', 'backlog'];
  const body: string[] = [];
  for (let i = 0; body.join(' ').length < 1_550; i++) body.push(`${words[(page * 3 + i) % words.length]}-${(page * 31 + i * 17) % 997}`);
  return `Page ${page}. ${body.join(' ')}. Figure: ${pageFigure(page)}`;
}

/** The tool the long run calls; `calls` counts its calls. */
export function readPageTool() {
  const counter = { calls: 0 };
  const readPage = jsonSchemaTool<string>({
    name: 'read_page',
    description: 'Reads one page of the quarterly report.',
    inputSchema: { type: 'object', properties: { page: { type: 'integer', minimum: 1 } }, required: ['page'] },
    run: ({ page }) => {
      counter.calls++;
      return pageText(page as number);
    },
  });
  return { tool: readPage, counter };
}

/** The wire replies of a run of `steps` steps: `steps − 1` page reads, then the answer. Output tokens are scripted (a few per step). */
export function longRunReplies(kind: LongRunKind, steps: number): WireReply[] {
  const replies: WireReply[] = [];
  const usage = { output: 20 };
  for (let page = 1; page < steps; page++) {
    replies.push(
      kind === 'tool-calling'
        ? { toolCalls: [{ name: 'read_page', input: { page }, id: `call_page_${page}` }], usage }
        : { text: `Reading page ${page}.\n<code>\nconsole.log(read_page({ page: ${page} }))\n`, usage },
    );
  }
  const answer = longRunAnswer(steps);
  replies.push(
    kind === 'tool-calling'
      ? { toolCalls: [{ name: 'final_answer', input: { answer }, id: 'call_answer' }], usage }
      : { text: `<code>\nfinal_answer(${answer})\n`, usage },
  );
  return replies;
}
