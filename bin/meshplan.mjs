#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader, so `npx meshplan` works right after `npm ci` with no build step.
import { register } from 'tsx/esm/api';
register();
// A reader that stops early (`| head`) closes the pipe: finish quietly instead of throwing EPIPE.
process.stdout.on('error', (err) => { if (err.code === 'EPIPE') process.exit(0); throw err; });
const { main } = await import('../workers/cli.ts');
process.exitCode = await main(process.argv.slice(2));
