/** Browser pool worker: exposes the planner's job registry through comlink (see browserPool.ts). */
import { expose } from 'comlink';
import wasmUrl from 'highs/runtime?url';
import { createJobRunner } from './jobRunner.ts';
import { createJobRegistry } from './registry.ts';

expose(createJobRunner(createJobRegistry({ highsLocateFile: () => wasmUrl })));
