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

async function loadCli() {
  if (process.env.MESHPLAN_TSX !== '1') {
    const { bundledModule } = await import('./bundle.mjs');
    const url = await bundledModule(new URL('../workers/cli.ts', import.meta.url));
    // A bundle removed by a concurrent rebuild between the check and the import: run the sources instead.
    if (url) {
      try {
        const cli = await import(url);
        // Worker threads the CLI starts (its ILP solver's) load the same bundle.
        cli.setBundleUrl(url);
        return cli;
      } catch (err) { if (err?.code !== 'ERR_MODULE_NOT_FOUND') throw err; }
    }
  }
  const { register } = await import('tsx/esm/api');
  register();
  return import('../workers/cli.ts');
}

const { main } = await loadCli();
process.exitCode = await main(process.argv.slice(2));
