#!/usr/bin/env node
// `meshplan`: runs the TypeScript CLI from one bundled ES module (bin/bundle.mjs builds it with esbuild on first use
// and again whenever a source file changes), so `npx meshplan` works right after `npm ci` with no build step. The
// bundle starts ~1 s of CPU sooner than tsx's loader, which transpiles and resolves ~250 modules one by one
// through its loader thread. MESHPLAN_TSX=1, or a bundle that cannot be built, runs the sources through tsx.
// A reader that stops early (`| head`) closes the pipe: finish quietly instead of throwing EPIPE.
process.stdout.on('error', (err) => { if (err.code === 'EPIPE') process.exit(0); throw err; });

async function loadCli() {
  if (process.env.MESHPLAN_TSX !== '1') {
    const { bundledModule } = await import('./bundle.mjs');
    const url = await bundledModule(new URL('../workers/cli.ts', import.meta.url));
    // A bundle removed by a concurrent rebuild between the check and the import: run the sources instead.
    if (url) try { return await import(url); } catch (err) { if (err?.code !== 'ERR_MODULE_NOT_FOUND') throw err; }
  }
  const { register } = await import('tsx/esm/api');
  register();
  return import('../workers/cli.ts');
}

const { main } = await loadCli();
process.exitCode = await main(process.argv.slice(2));
