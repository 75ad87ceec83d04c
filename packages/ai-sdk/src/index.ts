export { type FromAISDKOptions, fromAISDK, toPrompt } from './ai-sdk-model.js';
