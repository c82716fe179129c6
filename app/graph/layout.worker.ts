/** The layer-graph layout worker: keeps the ELK layout of big graphs off the main thread. */
import { expose } from 'comlink';
import { layoutGraph } from './layoutElk.ts';

// ELK's bundled build, loaded in a worker, installs itself as the worker's onmessage handler (to serve as an ELK
// worker); this worker talks comlink instead, and ELK runs on its in-thread fake worker, so drop that handler.
self.onmessage = null;

const api = { layout: layoutGraph };
export type LayoutApi = typeof api;
expose(api);
