export {
  type ScriptedModelOptions,
  ScriptedModel,
  type ScriptedReply,
  type ScriptedReplyObject,
  type ScriptedToolCall,
} from './scripted-model.js';
export { startAnthropicServer } from './servers/anthropic-server.js';
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
export { ADAPTER_BENCH_CALL, type AdapterBenchOptions, type BareSdkCalls, benchAdapterAgainstSdk } from './adapter-bench.js';
