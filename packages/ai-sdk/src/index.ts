export { fromAISDK, toPrompt } from './ai-sdk-model.js';
