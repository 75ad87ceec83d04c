/**
 * The model interface of actkit, shaped after the Vercel AI SDK's LanguageModel spec
 * (`@ai-sdk/provider` V3): content parts, tool calls with raw JSON input, nested usage, a
 * finish reason and stream parts. Adapters (`@actkit/openai`, `@actkit/anthropic`, …) implement
 * it; the agent loop only ever talks to this.
 */
import type { JSONSchema } from '@actkit/tools';
import type { Usage } from './usage.js';

export interface TextPart {
  type: 'text';
  text: string;
}

export interface ReasoningPart {
  type: 'reasoning';
  text: string;
  /** Provider data that must be sent back with the reasoning (e.g. Anthropic's signature). */
  providerMetadata?: Record<string, Record<string, unknown>>;
}

/** An image or other file. `data` is base64 text, raw bytes, or a URL the provider can fetch. */
export interface FilePart {
  type: 'file';
  mediaType: string;
  data: string | Uint8Array | URL;
  filename?: string;
}

/** A tool call as sent back to a model in the prompt: `input` is the parsed arguments. */
export interface ToolCallPart {
  type: 'tool-call';
  toolCallId: string;
  toolName: string;
  input: unknown;
}

export type ToolResultOutput =
  | { type: 'text'; value: string }
  | { type: 'json'; value: unknown }
  | { type: 'error-text'; value: string }
  | { type: 'content'; value: Array<TextPart | FilePart> };

export interface ToolResultPart {
  type: 'tool-result';
  toolCallId: string;
  toolName: string;
  output: ToolResultOutput;
}

export interface SystemMessage {
  role: 'system';
  content: string;
}
export interface UserMessage {
  role: 'user';
  content: Array<TextPart | FilePart>;
}
export interface AssistantMessage {
  role: 'assistant';
  content: Array<TextPart | ReasoningPart | ToolCallPart>;
}
export interface ToolMessage {
  role: 'tool';
  content: ToolResultPart[];
}
export type ModelMessage = SystemMessage | UserMessage | AssistantMessage | ToolMessage;

/** A tool as a model sees it for native tool calling. */
export interface ModelToolDefinition {
  name: string;
  description: string;
  inputSchema: JSONSchema;
}

export type ToolChoice = 'auto' | 'none' | 'required' | { type: 'tool'; toolName: string };

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json'; schema?: JSONSchema; name?: string; description?: string };

export interface ModelCallOptions {
  messages: ModelMessage[];
  tools?: ModelToolDefinition[];
  toolChoice?: ToolChoice;
  stopSequences?: string[];
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  seed?: number;
  responseFormat?: ResponseFormat;
  abortSignal?: AbortSignal;
  headers?: Record<string, string>;
  /** Options only one provider understands, keyed by provider name. */
  providerOptions?: Record<string, Record<string, unknown>>;
}

/**
 * A tool call in a model's reply. `input` is the raw JSON text the model produced: it may be
 * malformed, and the agent — not the adapter — turns that into an observation the model sees.
 */
export interface ToolCallContent {
  type: 'tool-call';
  toolCallId: string;
  toolName: string;
  input: string;
}

export type ModelContent = TextPart | ReasoningPart | ToolCallContent;

export type FinishReason = 'stop' | 'length' | 'content-filter' | 'tool-calls' | 'error' | 'other' | 'unknown';

export interface ModelResponseMetadata {
  id?: string;
  modelId?: string;
  timestamp?: Date;
}

export interface ModelResponse {
  content: ModelContent[];
  finishReason: FinishReason;
  usage: Usage;
  /** The provider's own refusal text, when it declined to answer. */
  refusal?: string;
  response?: ModelResponseMetadata;
  warnings?: string[];
  providerMetadata?: Record<string, Record<string, unknown>>;
}

export type ModelStreamPart =
  | { type: 'stream-start'; warnings?: string[] }
  | ({ type: 'response-metadata' } & ModelResponseMetadata)
  | { type: 'text-start'; id: string }
  | { type: 'text-delta'; id: string; delta: string }
  | { type: 'text-end'; id: string }
  | { type: 'reasoning-start'; id: string }
  | { type: 'reasoning-delta'; id: string; delta: string }
  | { type: 'reasoning-end'; id: string; providerMetadata?: Record<string, Record<string, unknown>> }
  | { type: 'tool-input-start'; id: string; toolName: string }
  | { type: 'tool-input-delta'; id: string; delta: string }
  | { type: 'tool-input-end'; id: string }
  | ({ type: 'tool-call' } & Omit<ToolCallContent, 'type'>)
  | {
      type: 'finish';
      finishReason: FinishReason;
      usage: Usage;
      refusal?: string;
      providerMetadata?: Record<string, Record<string, unknown>>;
    }
  | { type: 'error'; error: unknown };

/** What a model can do, so agents can adapt (e.g. JSON actions in text when there is no tool calling). */
export interface ModelCapabilities {
  /** Native tool calling. Default true. */
  toolCalls?: boolean;
  /** Images in user messages and tool results. Default true. */
  images?: boolean;
  /** Stop sequences. Default true. */
  stopSequences?: boolean;
}

export interface Model {
  /** e.g. "openai", "anthropic", "scripted". */
  readonly provider: string;
  readonly modelId: string;
  readonly capabilities?: ModelCapabilities;
  generate(options: ModelCallOptions): Promise<ModelResponse>;
  /** Stream parts of one reply; collecting them gives what `generate` would have returned. */
  stream(options: ModelCallOptions): AsyncIterable<ModelStreamPart>;
}

/** The text of a reply (all text parts joined). */
export function responseText(content: readonly ModelContent[]): string {
  return content
    .filter((p): p is TextPart => p.type === 'text')
    .map((p) => p.text)
    .join('');
}

/** A user message from text and optional files. */
export function userMessage(text: string, files: FilePart[] = []): UserMessage {
  return { role: 'user', content: [{ type: 'text', text }, ...files] };
}
