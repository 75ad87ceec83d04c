import type { ConnectionOptions } from 'bullmq';
import type { RedisOptions } from 'ioredis';

/** BullMQ's connection from the same ioredis options (its own types differ in details only). */
export function bullConnection(connection: RedisOptions): ConnectionOptions {
  return { ...connection, maxRetriesPerRequest: null } as unknown as ConnectionOptions;
}

/** What a job carries: only the run's id. Everything else is in the run's record. */
export interface RunJobData {
  runId: string;
}

export const DEFAULTS = {
  queueName: 'actkit-runs',
  prefix: 'actkit',
  retentionSeconds: 7 * 24 * 3600,
} as const;

/** The job that starts a run, or resumes it after its n-th park: approving twice enqueues it once. */
export function jobIdFor(runId: string, parkCount: number): string {
  return parkCount === 0 ? runId : `${runId}-resume-${parkCount}`;
}
