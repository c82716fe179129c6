/** The layer-graph layout worker: keeps the layout of big graphs off the main thread. */
import { expose } from 'comlink';
import { layoutGraph } from './layout.ts';

const api = { layout: layoutGraph };
export type LayoutApi = typeof api;
expose(api);
