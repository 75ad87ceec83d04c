import { writeFileSync } from 'node:fs';
import { AGENT_KINDS, type AgentKind, formatCost, type ModelSpec, type Task } from '@actkit/app-kit';
import { type Bill, formatBill } from '@actkit/core';
import { paint } from './display.js';

/** How one agent did on one task. */
export interface Outcome {
  success: boolean;
  /** The run's state ("success", "max_steps"…), or "error" when it broke off. */
  state: string;
  steps: number;
  tokens: number;
  costUsd?: number;
  /** Tokens by how they were billed (fresh, cache-read, cache-write input; output) and the cost with and without caching. */
  bill?: Bill;
  ms: number;
  /** What went wrong along the way (step errors, failed tool calls), recovered from or not. */
  errors: string[];
  answer: string;
  /** Why the answer failed its check. */
  reason?: string;
}

export interface Row {
  task: Task;
  tool: Outcome;
  code: Outcome;
}

export function totals(rows: Row[], kind: AgentKind) {
  const all = rows.map((r) => r[kind]);
  const costs = all.map((o) => o.costUsd);
  return {
    success: all.filter((o) => o.success).length,
    tasks: all.length,
    steps: all.reduce((n, o) => n + o.steps, 0),
    tokens: all.reduce((n, o) => n + o.tokens, 0),
    ms: all.reduce((n, o) => n + o.ms, 0),
    errors: all.reduce((n, o) => n + o.errors.length, 0),
    // A total cost only when every run's cost is known.
    ...(costs.every((c) => c !== undefined) && costs.length ? { costUsd: costs.reduce((a, c) => a! + c!, 0) } : {}),
    ...(all.length && all.every((o) => o.bill) ? { bill: sumBills(all.map((o) => o.bill!)) } : {}),
  };
}

/** The bills of several runs added up (a cost only when every run's is known). */
function sumBills(bills: Bill[]): Bill {
  const sum = (f: (b: Bill) => number) => bills.reduce((n, b) => n + f(b), 0);
  const known = (f: (b: Bill) => number | undefined) => (bills.every((b) => f(b) !== undefined) ? bills.reduce((n, b) => n + f(b)!, 0) : undefined);
  const cost = known((b) => b.cost);
  const costWithoutCache = known((b) => b.costWithoutCache);
  return {
    inputTokens: {
      fresh: sum((b) => b.inputTokens.fresh),
      cacheRead: sum((b) => b.inputTokens.cacheRead),
      cacheWrite: sum((b) => b.inputTokens.cacheWrite),
      total: sum((b) => b.inputTokens.total),
    },
    outputTokens: sum((b) => b.outputTokens),
    modelId: bills[0]?.modelId ?? '',
    ...(cost !== undefined ? { cost } : {}),
    ...(costWithoutCache !== undefined ? { costWithoutCache } : {}),
  };
}

export interface ComparisonReport {
  model: ModelSpec;
  taskSet: string;
  maxSteps: number;
  rows: Row[];
  interrupted: boolean;
}

const NAMES: Record<AgentKind, string> = { tool: 'ToolCallingAgent', code: 'CodeAgent' };
const time = (ms: number) => (ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(1)} s`);
const modelLine = (report: ComparisonReport) =>
  report.model.provider === 'scripted'
    ? "scripted — each task's replies are replayed (an offline demonstration); the tools and the sandbox run for real"
    : report.model.label;
const short = (text: string, max = 90) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const scripted = (report: ComparisonReport) => report.model.provider === 'scripted';
/** Token counts of a scripted model are estimates from text length, and say so. */
const tokensLabel = (report: ComparisonReport) => (scripted(report) ? '~tokens' : 'tokens');
/** What the time column measures, in a line under the table. */
const timeNote = (report: ComparisonReport) =>
  `time: each run's wall-clock time from its first model call to its answer (sandbox start-up excluded)${
    scripted(report) ? '; a scripted model answers at once, so it is the tools\' and the sandbox\'s time' : ''
  }.${scripted(report) ? ' Token counts are estimated from text length.' : ''}`;

/** How much fewer (or more) `b` is than `a`, as "−64%" / "+12%". */
function change(a: number, b: number): string {
  if (a === 0) return '';
  const pct = Math.round(((b - a) / a) * 100);
  return `${pct <= 0 ? '−' : '+'}${Math.abs(pct)}%`;
}

/** The side-by-side table, a bar chart of the totals, and what went wrong — for a terminal. */
export function formatComparison(report: ComparisonReport, options: { color: boolean }): string {
  const c = paint(options.color);
  const bold = (t: string) => c(1, t);
  const dim = (t: string) => c(2, t);
  const { rows } = report;
  const t = { tool: totals(rows, 'tool'), code: totals(rows, 'code') };
  const lines = [`${bold('Model:')} ${modelLine(report)}`, `${bold('Tasks:')} ${report.taskSet} · ${plural(rows.length, 'task')} · at most ${plural(report.maxSteps, 'step')} each`];
  if (report.interrupted) lines.push(c(31, 'Interrupted: the results below are partial.'));
  if (!rows.length) return lines.join('\n');

  const idWidth = Math.max(5, ...rows.map((r) => r.task.id.length)) + 2;
  const widths = [4, 7, 8, 10, 8];
  const cells = (values: string[], ok?: boolean) =>
    values
      .map((v, i) => {
        const padded = i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!);
        return i === 0 && ok !== undefined ? c(ok ? 32 : 31, padded) : padded;
      })
      .join('');
  const block = widths.reduce((a, b) => a + b, 0);
  const outcomeCells = (o: Outcome) => cells([o.success ? '✔' : '✘', String(o.steps), String(o.tokens), time(o.ms), String(o.errors.length)], o.success);
  const totalCells = (x: ReturnType<typeof totals>) => cells([`${x.success}/${x.tasks}`, String(x.steps), String(x.tokens), time(x.ms), String(x.errors)]);
  const rule = dim('─'.repeat(idWidth + block * 2 + 3));

  lines.push('');
  lines.push(`${''.padEnd(idWidth)}${bold(`${NAMES.tool} (JSON)`.padEnd(block))} │ ${bold(`${NAMES.code} (code)`)}`);
  const header = cells(['ok', 'steps', tokensLabel(report), 'time', 'errors']);
  lines.push(dim(`${'task'.padEnd(idWidth)}${header} │ ${header}`));
  lines.push(rule);
  for (const r of rows) lines.push(`${r.task.id.padEnd(idWidth)}${outcomeCells(r.tool)} │ ${outcomeCells(r.code)}`);
  lines.push(rule);
  lines.push(bold(`${'total'.padEnd(idWidth)}${totalCells(t.tool)} │ ${totalCells(t.code)}`));
  if (t.tool.costUsd !== undefined && t.code.costUsd !== undefined) {
    lines.push(`${'cost'.padEnd(idWidth)}${NAMES.tool} ${formatCost(t.tool.costUsd)} · ${NAMES.code} ${formatCost(t.code.costUsd)}`);
  }
  for (const kind of AGENT_KINDS) {
    const bill = t[kind].bill;
    if (bill) lines.push(dim(`${'bill'.padEnd(idWidth)}${NAMES[kind]}: ${formatBill(bill)}`));
  }
  lines.push(dim(timeNote(report)));

  // The totals as bars, each metric on its own scale.
  lines.push('');
  const width = 36;
  const metrics: Array<[string, number, number, (n: number) => string]> = [
    ['solved', t.tool.success, t.code.success, (n) => `${n}/${rows.length}`],
    ['steps', t.tool.steps, t.code.steps, String],
    [tokensLabel(report), t.tool.tokens, t.code.tokens, String],
    ['time', t.tool.ms, t.code.ms, time],
  ];
  for (const [label, a, b, fmt] of metrics) {
    const max = Math.max(a, b) || 1;
    // At least one block for anything above zero, so a small value does not read as none.
    const bar = (v: number, colour: number) => {
      const n = v > 0 ? Math.max(1, Math.round((v / max) * width)) : 0;
      return c(colour, '█'.repeat(n)) + ' '.repeat(width - n);
    };
    lines.push(`${label.padEnd(8)}${dim('tool')} ${bar(a, 34)} ${fmt(a)}`);
    lines.push(`${''.padEnd(8)}${dim('code')} ${bar(b, 32)} ${fmt(b)}`);
  }
  if (t.tool.steps && t.tool.tokens) {
    lines.push('');
    lines.push(
      `${NAMES.code} vs ${NAMES.tool}: ${t.code.success} vs ${t.tool.success} solved, ${change(t.tool.steps, t.code.steps)} steps, ` +
        `${change(t.tool.tokens, t.code.tokens)} tokens, ${change(t.tool.ms, t.code.ms)} time.`,
    );
  }

  const problems = rows.flatMap((r) =>
    AGENT_KINDS.flatMap((kind) => {
      const o = r[kind];
      const where = `${r.task.id} · ${NAMES[kind]}`;
      const out = o.errors.map((e) => `  ${where} · ${short(e.replace(/\s+/g, ' '))}${o.success ? dim(' (recovered)') : ''}`);
      if (!o.success) out.push(`  ${where} · ${c(31, `✘ ${o.reason ?? o.state}`)}${o.answer ? ` · answer: ${JSON.stringify(short(o.answer, 60))}` : ''}`);
      return out;
    }),
  );
  if (problems.length) lines.push('', bold('Errors and failures'), ...problems);
  return lines.join('\n');
}

const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
const COLORS: Record<AgentKind, string> = { tool: '#3d6bff', code: '#16a36a' };

/** Horizontal grouped bars as inline SVG: one group per label, a bar per agent. */
function bars(title: string, groups: Array<{ label: string; tool: number; code: number; fmt: (n: number) => string }>, ownScale: boolean): string {
  const labelW = 150;
  const barW = 330;
  const rowH = 16;
  const groupH = rowH * 2 + 12;
  const globalMax = Math.max(1, ...groups.flatMap((g) => [g.tool, g.code]));
  const body = groups
    .map((g, i) => {
      const max = ownScale ? Math.max(1, g.tool, g.code) : globalMax;
      const y = i * groupH;
      const bar = (kind: AgentKind, dy: number) => {
        const w = Math.max(g[kind] > 0 ? 2 : 0, (g[kind] / max) * barW);
        return `<rect x="${labelW}" y="${y + dy}" width="${w.toFixed(1)}" height="${rowH - 3}" rx="2" fill="${COLORS[kind]}"/><text x="${labelW + w + 6}" y="${y + dy + rowH - 5}">${esc(g.fmt(g[kind]))}</text>`;
      };
      return `<text x="0" y="${y + rowH + 4}" class="label">${esc(g.label)}</text>${bar('tool', 0)}${bar('code', rowH)}`;
    })
    .join('\n');
  const height = groups.length * groupH;
  return `<figure><figcaption>${esc(title)}</figcaption><svg xmlns="http://www.w3.org/2000/svg" width="${labelW + barW + 90}" height="${height}" viewBox="0 0 ${labelW + barW + 90} ${height}" role="img" aria-label="${esc(title)}">${body}</svg></figure>`;
}

/** A self-contained HTML page (inline CSS and SVG, no scripts) to keep or share. */
export function writeHtmlReport(path: string, report: ComparisonReport): void {
  const { rows } = report;
  const t = { tool: totals(rows, 'tool'), code: totals(rows, 'code') };
  // On every figure, so that no cropped screenshot of a replay passes for a model's results.
  const badge = scripted(report) ? ' <span class="badge">scripted replay</span>' : '';
  const summary = AGENT_KINDS.map((kind) => {
    const x = t[kind];
    return `<div class="card ${kind}"><h2>${NAMES[kind]}${badge}</h2><p class="big">${x.success}/${x.tasks} solved</p>
<p>${plural(x.steps, 'step')} · ${scripted(report) ? '~' : ''}${x.tokens} tokens${scripted(report) ? ' (estimated)' : ''} · ${time(x.ms)} · ${plural(x.errors, 'error')}${x.costUsd !== undefined ? ` · ${formatCost(x.costUsd)}` : ''}</p>${x.bill ? `<p class="bill">${esc(formatBill(x.bill))}</p>` : ''}</div>`;
  }).join('\n');
  const cell = (o: Outcome) =>
    `<td class="${o.success ? 'ok' : 'ko'}">${o.success ? '✔' : '✘'}</td><td>${o.steps}</td><td>${o.tokens}</td><td>${time(o.ms)}</td><td>${o.errors.length}</td>`;
  const table = rows.map((r) => `<tr><th scope="row">${esc(r.task.id)}</th>${cell(r.tool)}${cell(r.code)}</tr>`).join('\n');
  const totalCell = (x: ReturnType<typeof totals>) => `<td>${x.success}/${x.tasks}</td><td>${x.steps}</td><td>${x.tokens}</td><td>${time(x.ms)}</td><td>${x.errors}</td>`;
  const details = rows
    .map((r) => {
      const side = (kind: AgentKind) => {
        const o = r[kind];
        return `<div class="side"><h4 style="color:${COLORS[kind]}">${NAMES[kind]} ${o.success ? '✔' : `✘ <span class="ko">${esc(o.reason ?? o.state)}</span>`}</h4>
<p class="answer">${o.answer ? esc(o.answer) : '<em>no answer</em>'}</p>${o.errors.length ? `<ul class="errors">${o.errors.map((e) => `<li>${esc(e)}</li>`).join('')}</ul>` : ''}</div>`;
      };
      return `<section class="task"><h3>${esc(r.task.id)}</h3><p class="question">${esc(r.task.task)}</p><div class="sides">${side('tool')}${side('code')}</div></section>`;
    })
    .join('\n');
  const charts =
    bars(
      `Totals (each metric on its own scale)${scripted(report) ? ' · scripted replay' : ''}`,
      [
        { label: 'solved', tool: t.tool.success, code: t.code.success, fmt: (n) => `${n}/${rows.length}` },
        { label: 'steps', tool: t.tool.steps, code: t.code.steps, fmt: String },
        { label: tokensLabel(report), tool: t.tool.tokens, code: t.code.tokens, fmt: String },
        { label: 'time', tool: t.tool.ms, code: t.code.ms, fmt: time },
      ],
      true,
    ) +
    bars(
      `Steps per task${scripted(report) ? ' · scripted replay' : ''}`,
      rows.map((r) => ({ label: r.task.id, tool: r.tool.steps, code: r.code.steps, fmt: String })),
      false,
    );

  writeFileSync(
    path,
    `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>actkit compare: ToolCallingAgent vs CodeAgent</title>
<style>
body { font: 15px/1.5 system-ui, sans-serif; margin: 0 auto; padding: 24px; max-width: 1000px; color: #1d2330; }
h1 { font-size: 22px; margin: 0 0 4px; } .meta { color: #5b6475; margin: 0 0 18px; }
.cards { display: flex; gap: 16px; flex-wrap: wrap; } .card { flex: 1 1 280px; border: 1px solid #e1e4ea; border-radius: 8px; padding: 12px 16px; border-top: 4px solid; }
.card.tool { border-top-color: ${COLORS.tool}; } .card.code { border-top-color: ${COLORS.code}; } .card h2 { font-size: 15px; margin: 0; } .card p { margin: 4px 0; } .big { font-size: 22px; font-weight: 600; }
table { border-collapse: collapse; margin: 20px 0; width: 100%; } th, td { padding: 5px 9px; border-bottom: 1px solid #e1e4ea; text-align: right; font-variant-numeric: tabular-nums; }
th[scope=row], th.task { text-align: left; } thead th { font-size: 13px; color: #5b6475; } tfoot td, tfoot th { font-weight: 600; }
.group-tool { color: ${COLORS.tool}; text-align: center; } .group-code { color: ${COLORS.code}; text-align: center; }
tbody td:nth-child(7), tfoot td:nth-child(7), thead tr:nth-child(2) th:nth-child(7), thead th.group-code { border-left: 1px solid #c5cad3; } .ok { color: #16a36a; } .ko { color: #c62828; }
figure { display: inline-block; margin: 8px 24px 8px 0; vertical-align: top; } figcaption { font-weight: 600; margin-bottom: 6px; }
svg text { font: 12px system-ui, sans-serif; fill: #1d2330; } svg text.label { fill: #5b6475; }
.legend span { display: inline-block; margin-right: 16px; } .legend i { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 6px; vertical-align: -1px; }
.task { border-top: 1px solid #e1e4ea; padding: 8px 0; } .task h3 { margin: 4px 0; font-size: 15px; } .question { color: #394150; margin: 0 0 6px; }
.sides { display: flex; gap: 16px; flex-wrap: wrap; } .side { flex: 1 1 300px; } .side h4 { margin: 0; font-size: 14px; } .answer { margin: 2px 0; font-family: ui-monospace, monospace; font-size: 13px; white-space: pre-wrap; }
.errors { margin: 2px 0; padding-left: 18px; font-size: 13px; color: #8a4b00; }
.badge { display: inline-block; margin-left: 8px; padding: 1px 7px; border-radius: 10px; background: #fff1c2; color: #7a5200; font-size: 12px; font-weight: 600; vertical-align: 2px; }
.note { color: #5b6475; font-size: 13px; }
</style></head>
<body>
<h1>ToolCallingAgent vs CodeAgent${badge}</h1>
<p class="meta">Model: ${esc(modelLine(report))}<br>Task set: ${esc(report.taskSet)} · ${plural(rows.length, 'task')} · at most ${plural(report.maxSteps, 'step')} each · ${esc(new Date().toISOString().slice(0, 16).replace('T', ' '))} UTC${report.interrupted ? ' · <strong class="ko">interrupted: partial results</strong>' : ''}</p>
<div class="cards">${summary}</div>
<table>
<thead><tr><th></th><th colspan="5" class="group-tool">${NAMES.tool} (JSON tool calls)</th><th colspan="5" class="group-code">${NAMES.code} (code actions)</th></tr>
<tr><th class="task">task</th>${`<th>ok</th><th>steps</th><th>${tokensLabel(report)}</th><th>time</th><th>errors</th>`.repeat(2)}</tr></thead>
<tbody>
${table}
</tbody>
<tfoot><tr><th scope="row">total</th>${totalCell(t.tool)}${totalCell(t.code)}</tr></tfoot>
</table>
<p class="note">${esc(timeNote(report))}</p>
<p class="legend"><span><i style="background:${COLORS.tool}"></i>${NAMES.tool}</span><span><i style="background:${COLORS.code}"></i>${NAMES.code}</span></p>
${charts}
<h2>Answers and errors</h2>
${details}
</body></html>
`,
  );
}
