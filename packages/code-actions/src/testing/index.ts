export { describeExecutorContract, type ExecutorContractOptions } from './executor-contract.js';
export { describeSecurityCorpus } from './security-corpus.js';
