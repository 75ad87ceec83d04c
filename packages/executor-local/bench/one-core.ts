/**
 * Run by floors.ts's `oneCoreFloorsMs`, pinned to one core: the thread hop and the pipe round
 * trip with every thread (and the echo child) on the same core, printed as one JSON line.
 */
import { loadIsolatedVm } from '../src/isolated-vm-unavailable.js';
import { isolatedVmCallMs, pipeRoundTripMs } from './floors.js';

const { hop } = await isolatedVmCallMs(loadIsolatedVm());
console.log(JSON.stringify({ hop, pipeTrip: await pipeRoundTripMs() }));
