/** Base of every error about a tool call; `toolName` says which tool. */
export class ToolCallError extends Error {
  override name = 'ToolCallError';
  constructor(
    readonly toolName: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The model called a tool that does not exist. */
export class UnknownToolError extends ToolCallError {
  override name = 'UnknownToolError';
  constructor(
    toolName: string,
    readonly availableTools: readonly string[],
  ) {
    super(
      toolName,
      `Unknown tool "${toolName}". Available tools: ${availableTools.length ? availableTools.join(', ') : '(none)'}.`,
    );
  }
}

export interface ToolInputIssue {
  /** Where in the input, e.g. `["items", 2, "price"]`; empty for the input as a whole. */
  path: (string | number)[];
  message: string;
}

/** The arguments of a call did not match the tool's input schema (or were not JSON). */
export class ToolInputError extends ToolCallError {
  override name = 'ToolInputError';
  constructor(
    toolName: string,
    readonly issues: ToolInputIssue[],
  ) {
    super(toolName, `Invalid input for tool "${toolName}": ${issues.map(formatIssue).join('; ')}`);
  }
}

/** The tool ran and threw (or returned an output that breaks its own output schema). */
export class ToolExecutionError extends ToolCallError {
  override name = 'ToolExecutionError';
  constructor(toolName: string, cause: unknown) {
    super(toolName, `Tool "${toolName}" failed: ${describeError(cause)}`, { cause });
  }
}

/** A tool returned a value that cannot be sent as JSON (circular, a function, a throwing `toJSON`, too deep). */
export class ToolOutputError extends ToolCallError {
  override name = 'ToolOutputError';
  constructor(toolName: string, problem: string, options?: { cause?: unknown }) {
    super(toolName, `Tool "${toolName}" returned a value that cannot be sent as JSON: ${problem}.`, options);
  }
}

export function formatIssue(issue: ToolInputIssue): string {
  if (issue.path.length === 0) return issue.message;
  const path = issue.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
  return `field "${path}": ${issue.message}`;
}

/** A short, readable description of anything thrown. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}
