// Entry of a Node pool worker running from the CLI's bundle (bin/bundle.mjs builds it): no TypeScript loader to
// start (tsx's takes ~1 s of CPU), the bundle's servePoolWorker() exposes the planner's job registry.
import { workerData } from 'node:worker_threads';

const { servePoolWorker } = await import(workerData.bundleUrl);
servePoolWorker();
