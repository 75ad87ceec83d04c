// From any process: enqueue a run, follow its events, approve the refund, print the result.
import { DurableRuns } from '@actkit/bullmq';

const connection = { host: process.env.REDIS_HOST ?? '127.0.0.1', port: Number(process.env.REDIS_PORT ?? 6379) };
const runs = new DurableRuns({ connection });
const runId = await runs.enqueue('support', 'Refund order A1.');
console.log(`run ${runId}`);

for await (const { source, event } of runs.events(runId)) {
  if (source === 'queue' && event.type === 'picked-up') console.log(`picked up by ${event.worker}`);
  if (source === 'agent' && event.type === 'tool-result' && (event.output !== undefined || event.error)) {
    console.log(`  ${event.toolName} → ${JSON.stringify(event.output ?? event.error)}`);
  }
  if (source === 'queue' && event.type === 'parked') {
    // No worker is held while the run waits. A person would decide here — tomorrow, in another process.
    for (const call of event.pending) {
      console.log(`parked: ${call.toolName}(${JSON.stringify(call.input)}) waits for approval; approving`);
      await runs.approve(runId, call.id, true);
    }
  }
  if (source === 'queue' && event.type === 'ended') console.log('ended:', event.outcome);
}
await runs.close();
