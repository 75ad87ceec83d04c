export { describeExecutorContract, type ExecutorContractOptions } from './executor-contract.js';
export { describeSecurityCorpus } from './security-corpus.js';
export { describeModulesContract, type ModulesContractOptions } from './modules-contract.js';
export { testTool } from './test-tool.js';
export { describeHostedSandboxFaults, type HostedSandboxFaultsOptions, type HostedServiceFaults } from './hosted-sandbox-faults.js';
