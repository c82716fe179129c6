#!/usr/bin/env node
// `meshplan`: runs the TypeScript CLI from one bundled ES module (bin/bundle.mjs builds it with esbuild on first use
// and again whenever a source file changes), so `npx meshplan` works right after `npm ci` with no build step. The
// bundle starts ~1 s of CPU sooner than tsx's loader, which transpiles and resolves ~250 modules one by one
// through its loader thread. MESHPLAN_TSX=1, or a bundle that cannot be built, runs the sources through tsx.
import { setFlagsFromString } from 'node:v8';

// HiGHS' WebAssembly runs on V8's baseline compiler (Liftoff) only: a CLI process lives seconds, and tiering the
// hot HiGHS functions up to TurboFan cost more CPU than the faster code saved (Llama-3-70B on 128 x 8: 6.8-10.3 s
// -> 5.9-7.2 s CPU, GPT-39B 5.2-5.8 -> 4.3-4.5 s, identical plans). Set before the wasm is compiled.
setFlagsFromString('--liftoff-only');
// Functions tier up to TurboFan after 1 MB of bytecode budget instead of V8's default 132 KB: in a process that lives
// seconds the optimizing compiles of hundreds of warm functions (on V8's background threads, which share this
// machine's second core with the ILP's worker thread) cost more CPU than the optimized code saved; the hot loops
// still tier up. GPT-39B on 8x8: 5.3-5.5 -> 4.0-4.2 s CPU (all threads), the same main-thread CPU; same plans.
setFlagsFromString('--interrupt-budget=1000000');
// A reader that stops early (`| head`) closes the pipe: finish quietly instead of throwing EPIPE.
process.stdout.on('error', (err) => { if (err.code === 'EPIPE') process.exit(0); throw err; });

// Commands that plan with the intra-op ILP on a worker thread (cli/plan.ts loadPlanArgs), unless a flag says otherwise.
const ILP_COMMANDS = new Set(['plan', 'compare', 'learn', 'export']);
// A baseline has no ILP, --intra manual none, --workers N its own pool, export --plan no search.
const NO_ILP_THREAD = { baseline: () => true, intra: (v) => v === 'manual', workers: (v) => v !== '1', plan: () => true };

/** Whether the command will take an ILP thread (a guess from the flags: one not taken is ended, cli.ts main). */
function wantsIlpThread(argv) {
  if (!ILP_COMMANDS.has(argv[0])) return false;
  for (let i = 1; i < argv.length; i++) {
    if (!argv[i].startsWith('--')) continue;
    const eq = argv[i].indexOf('=');
    const key = argv[i].slice(2, eq < 0 ? undefined : eq);
    if (Object.hasOwn(NO_ILP_THREAD, key) && NO_ILP_THREAD[key](eq < 0 ? argv[i + 1] : argv[i].slice(eq + 1))) return false;
  }
  return true;
}

// The search's ILP thread starts first, before this thread loads the CLI: from a bundle of the intra-op pass alone
// (workers/pool/ilpThread.ts, ~90 KB against the CLI's ~700 KB), it has loaded and compiled HiGHS by the time the
// search asks its first solve, while this thread loads the CLI and builds the model. cli/plan.ts takes it.
async function startIlpThread(bundledModule) {
  const url = await bundledModule(new URL('../workers/pool/ilpThread.ts', import.meta.url));
  if (!url) return undefined;
  const { startBundleWorker } = await import('../workers/pool/startBundleWorker.mjs');
  return startBundleWorker(url);
}

async function loadCli() {
  if (process.env.MESHPLAN_TSX !== '1') {
    const { bundledModule } = await import('./bundle.mjs');
    const ilpThread = wantsIlpThread(process.argv.slice(2)) ? await startIlpThread(bundledModule) : undefined;
    const url = await bundledModule(new URL('../workers/cli.ts', import.meta.url));
    // A bundle removed by a concurrent rebuild between the check and the import: run the sources instead.
    if (url) {
      try {
        const cli = await import(url);
        // Worker threads the CLI starts (its ILP solver's) load the same bundle.
        cli.setBundleUrl(url);
        cli.setIlpThread(ilpThread);
        return cli;
      } catch (err) { if (err?.code !== 'ERR_MODULE_NOT_FOUND') throw err; }
    }
    void ilpThread?.worker.terminate();
  }
  const { register } = await import('tsx/esm/api');
  register();
  return import('../workers/cli.ts');
}

const { main } = await loadCli();
process.exitCode = await main(process.argv.slice(2));
