export { AGENT_KINDS, AGENT_LABELS, type AgentKind, type AgentSetup, type AppAgent, createAgent, EXECUTORS, isAgentKind } from './agents.js';
export { SetupError } from './errors.js';
export {
  createModel,
  DEFAULT_MODEL_IDS,
  loadScript,
  type ModelRequest,
  type ModelSpec,
  PROVIDERS,
  type Provider,
  resolveModel,
  scriptFrom,
} from './models.js';
// List prices live in @actkit/core (its model catalog), where packages can use them too.
export { costOf, formatCost } from '@actkit/core';
export { BUILTIN_TASK_SET, checkAnswer, type Expectation, loadTaskSet, type Task } from './tasks.js';
export { connectMcpServers, type ExtraTools, isToolModulePath, loadExtraTools, loadToolModule } from './extra-tools.js';
export { APPROVAL_MODES, type ApprovalMode, type ApprovalPolicy, formatApprovalPolicy, parseApprovalPolicy, policyDecision } from './approval.js';
export { builtinTools, pickTools } from './tools.js';
