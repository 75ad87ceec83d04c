// Start this on as many machines (or terminals) as you like: `tsx examples/worker.ts`.
import { DurableWorker } from '@actkit/bullmq';
import { agents } from './agents.js';

const connection = { host: process.env.REDIS_HOST ?? '127.0.0.1', port: Number(process.env.REDIS_PORT ?? 6379) };
const worker = await DurableWorker.start({ connection, agents, concurrency: 4 });
console.log(`worker ${worker.name} is taking runs`);
process.on('SIGTERM', () => void worker.close().then(() => process.exit(0)));
process.on('SIGINT', () => void worker.close().then(() => process.exit(0)));
