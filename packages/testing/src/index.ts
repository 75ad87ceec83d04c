export {
  type ScriptedModelOptions,
  ScriptedModel,
  type ScriptedReply,
  type ScriptedReplyObject,
  type ScriptedToolCall,
} from './scripted-model.js';
export { startAnthropicServer } from './servers/anthropic-server.js';
export { type CacheUsage, PromptCache, tokensOf } from './servers/prompt-cache.js';
export { startOpenAIServer } from './servers/openai-server.js';
export {
  type RecordedRequest,
  type ScriptedServer,
  startScriptedServer,
  type WireAnswer,
  type WireFault,
  type WireFormat,
  type WireRaw,
  type WireReply,
  type WireToolCall,
} from './servers/scripted-server.js';
export { benchRunCosts, type CostBenchMode, type CostBenchOptions } from './cost-bench.js';
export { ADAPTER_BENCH_CALL, type AdapterBenchOptions, type BareSdkCalls, benchAdapterAgainstSdk } from './adapter-bench.js';
export { type E2BServerOptions, type E2BTestServer, startE2BServer } from './servers/e2b-server.js';
export { type BlaxelTestServer, startBlaxelServer } from './servers/blaxel-server.js';
export {
  longRunAnswer,
  type LongRunKind,
  longRunReplies,
  longRunTask,
  pageFigure,
  pageText,
  readPageTool,
} from './long-run.js';
export { type NodeProcessOutput, runNodeProcess } from './node-process.js';
export { valuesNotPassedThrough } from './reexport.js';
