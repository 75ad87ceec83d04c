export {
  type ScriptedModelOptions,
  ScriptedModel,
  type ScriptedReply,
  type ScriptedReplyObject,
  type ScriptedToolCall,
} from './scripted-model.js';
