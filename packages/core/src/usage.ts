/** Token usage of one or more model calls, nested as in the AI SDK's V3 spec. */
export interface Usage {
  inputTokens: {
    total: number | undefined;
    /** Input tokens neither read from nor written to a prompt cache. */
    noCache: number | undefined;
    cacheRead: number | undefined;
    cacheWrite: number | undefined;
  };
  outputTokens: {
    total: number | undefined;
    text: number | undefined;
    reasoning: number | undefined;
  };
}

export function emptyUsage(): Usage {
  return {
    inputTokens: { total: undefined, noCache: undefined, cacheRead: undefined, cacheWrite: undefined },
    outputTokens: { total: undefined, text: undefined, reasoning: undefined },
  };
}

function add(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined && b === undefined ? undefined : (a ?? 0) + (b ?? 0);
}

/** Sum of usages; a field stays undefined only if it is undefined everywhere. */
export function addUsage(a: Usage, b: Usage): Usage {
  return {
    inputTokens: {
      total: add(a.inputTokens.total, b.inputTokens.total),
      noCache: add(a.inputTokens.noCache, b.inputTokens.noCache),
      cacheRead: add(a.inputTokens.cacheRead, b.inputTokens.cacheRead),
      cacheWrite: add(a.inputTokens.cacheWrite, b.inputTokens.cacheWrite),
    },
    outputTokens: {
      total: add(a.outputTokens.total, b.outputTokens.total),
      text: add(a.outputTokens.text, b.outputTokens.text),
      reasoning: add(a.outputTokens.reasoning, b.outputTokens.reasoning),
    },
  };
}

export function sumUsage(usages: Iterable<Usage>): Usage {
  let total = emptyUsage();
  for (const u of usages) total = addUsage(total, u);
  return total;
}

/** Input plus output tokens (0 when unknown). */
export function totalTokens(usage: Usage): number {
  return (usage.inputTokens.total ?? 0) + (usage.outputTokens.total ?? 0);
}
