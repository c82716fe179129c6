// Entry of every Node pool worker. Node 20 does not apply `--import tsx` (execArgv) to a worker's TypeScript entry,
// so this plain module registers tsx's loader first and then imports the TypeScript worker named in workerData.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entryUrl);
