import type { ToolCallContent } from '@actkit/core';

/**
 * Reads tool calls written as JSON in a reply, for models without native tool calling:
 * every ```json block (or, failing that, the first {...} object) holding
 * `{"name": …, "arguments": …}`. Unparseable JSON is kept as raw input so the model is told
 * exactly what was wrong with it.
 */
export function parseTextToolCalls(text: string, nextId: () => string): ToolCallContent[] {
  const blocks = [...text.matchAll(/```(?:json)?\s*\n([\s\S]*?)```/g)].map((m) => m[1]!.trim());
  if (blocks.length === 0) {
    const start = text.indexOf('{');
    const end = text.lastIndexOf('}');
    if (start !== -1 && end > start) blocks.push(text.slice(start, end + 1));
  }
  const calls: ToolCallContent[] = [];
  for (const block of blocks) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(block);
    } catch {
      const name = /"(?:name|tool)"\s*:\s*"([^"]+)"/.exec(block)?.[1] ?? 'unknown';
      calls.push({ type: 'tool-call', toolCallId: nextId(), toolName: name, input: block });
      continue;
    }
    for (const action of Array.isArray(parsed) ? parsed : [parsed]) {
      if (typeof action !== 'object' || action === null) continue;
      const a = action as Record<string, unknown>;
      const name = a.name ?? a.tool ?? a.tool_name;
      if (typeof name !== 'string') continue;
      const args = a.arguments ?? a.input ?? a.args ?? a.parameters ?? {};
      calls.push({
        type: 'tool-call',
        toolCallId: nextId(),
        toolName: name,
        input: typeof args === 'string' ? args : JSON.stringify(args),
      });
    }
  }
  return calls;
}
