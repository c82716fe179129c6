/**
 * The planner's Web Worker: exposes createPlannerApi() through comlink, with HiGHS loaded from the wasm asset Vite
 * emits. The page wraps it (`wrap<PlannerApi>(new Worker(new URL('./planner.worker.ts', import.meta.url),
 * { type: 'module' }))`) and cancels a plan by terminating this worker and starting a fresh one.
 */
import { expose } from 'comlink';
import wasmUrl from 'highs/runtime?url';
import { createPlannerApi } from './planner-api.ts';

expose(createPlannerApi({ highsLocateFile: () => wasmUrl }));
