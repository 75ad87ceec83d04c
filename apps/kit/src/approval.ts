import type { ApprovalDecision } from '@actkit/core';
import { SetupError } from './errors.js';

/**
 * How an app answers a tool call that needs approval (each tool's `needsApproval` says which
 * calls do): `ask` the person (at the terminal, with buttons on a page), approve `all`, or deny
 * them all (`none`). The CLI's `--approve` and the playground's form share this.
 */
export type ApprovalMode = 'ask' | 'all' | 'none';
export const APPROVAL_MODES: readonly ApprovalMode[] = ['ask', 'all', 'none'];

/** `ask` or `none,place_order=ask`: a default mode and modes for named tools. */
export interface ApprovalPolicy {
  mode: ApprovalMode;
  perTool: Record<string, ApprovalMode>;
}

/** Parses `--approve` (or the page's equivalent); a bad part is a usage error naming it. */
export function parseApprovalPolicy(value: string, option = '--approve'): ApprovalPolicy {
  const policy: ApprovalPolicy = { mode: 'ask', perTool: {} };
  for (const part of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [name, mode] = part.includes('=') ? part.split('=', 2).map((s) => s.trim()) : [undefined, part];
    if (!APPROVAL_MODES.includes(mode as ApprovalMode)) {
      throw new SetupError('usage', `${option} takes ${APPROVAL_MODES.join('|')}, or tool=${APPROVAL_MODES.join('|')} per tool, not "${part}".`);
    }
    if (name) policy.perTool[name] = mode as ApprovalMode;
    else policy.mode = mode as ApprovalMode;
  }
  return policy;
}

/** The policy as `--approve` would spell it (the shortest form). */
export function formatApprovalPolicy(policy: ApprovalPolicy): string {
  return [policy.mode, ...Object.entries(policy.perTool).map(([name, mode]) => `${name}=${mode}`)].join(',');
}

/** The policy's decision for a call of `toolName`, or `ask` when a person has to decide. */
export function policyDecision(policy: ApprovalPolicy, toolName: string): ApprovalDecision | 'ask' {
  const mode = policy.perTool[toolName] ?? policy.mode;
  if (mode === 'all') return { approved: true };
  if (mode === 'none') return { approved: false, reason: 'calls of this tool are denied (--approve none)' };
  return 'ask';
}
