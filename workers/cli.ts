/**
 * `meshplan` command line: one subcommand per module under ./cli/, each exporting
 * `run(args: string[]): Promise<number>` (the exit code). Errors a user can fix exit 2 with one line on stderr.
 */
import { CliError } from './cli/args.ts';
import { Interrupted, INTERRUPTED_EXIT } from './cli/interrupt.ts';
import { discardIlpThread } from './cli/host.ts';
import { echo, oneLine } from './core/boundary/text.ts';
import { createJobRegistry } from './pool/registry.ts';
import { serveRegistry } from './pool/serve.ts';

export { setBundleUrl, setIlpThread } from './cli/host.ts';

/** A pool worker running from this bundle (pool/bundleBootstrap.mjs): the planner's jobs (pool/registry.ts). */
export function servePoolWorker(): void {
  serveRegistry(createJobRegistry());
}

const COMMANDS: Record<string, () => Promise<{ run: (args: string[]) => Promise<number> }>> = {
  inspect: () => import('./cli/inspect.ts'),
  shard: () => import('./cli/shard.ts'),
  plan: () => import('./cli/plan.ts'),
  compare: () => import('./cli/compare.ts'),
  sweep: () => import('./cli/sweep.ts'),
  learn: () => import('./cli/learn.ts'),
  export: () => import('./cli/export.ts'),
};

const USAGE = `meshplan <command> [options]

Commands:
  inspect --model <zoo:NAME | file> [--batch N] [--seq N] --json
  shard   --model M --cluster C --mesh <n0>x<n1> [--batch N] [--memory-gb G] --json
  plan    --model M --cluster C [--batch N] [--microbatches N|auto] [--schedule 1f1b|gpipe|eager-1f1b|interleaved|zb-h1|zb-v|auto]
          [--remat auto|on|off|selective] [--mode train|infer] [--baseline megatron|dp|zero3|intra-only|inter-only]
          [--dp N --tp N --pp N] [--runtime megatron|xla] [--workers N] [--trace out.json] --json
  compare --model M --cluster C1 [--cluster C2 ...] [--price USD_PER_GPU_HOUR] [plan options] --json
          our plan next to every baseline per cluster, and what differs from the first cluster
  sweep   --model M --cluster C --vary <variable>=<v1>,<v2>,... [--series chart|all|KIND,...] [--workers N] [plan options] --json
          variables: nodes, gpus-per-node, inter-gbps, intra-gbps (Gbit/s), gpu, batch, microbatches, seq;
          every point's plan and baselines, and where the plan's structure changes
  learn   --model M --cluster C [plan options] --json
          intra-op only vs inter-op only vs combined: traffic across / inside nodes, bubble, memory, and why
  export  --format jax|megatron|trace|json (--model M --cluster C [plan options] | --plan plan.json) [-o FILE]

Cluster: --cluster <preset>[:<nodes>x<gpusPerNode>] (p3.16xlarge, dgx-a100, dgx-h100, ...) or --cluster file.json
Model:   --model zoo:<name> (gpt-350M ... gpt-39B, moe-380M ... moe-70B, wresnet-250M ... wresnet-13B, llama-...)
         or a file: .onnx, .mlir (StableHLO text), .json (Meshplan graph), config.json (Hugging Face)`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  // No command is a usage error: the usage goes to stderr (stdout stays for results) and the exit code says so.
  if (command === undefined) {
    process.stderr.write(`meshplan: missing command\n${USAGE}\n`);
    return 2;
  }
  const load = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!load) {
    process.stderr.write(`meshplan: unknown command '${echo(command)}' (try: ${Object.keys(COMMANDS).join(', ')})\n`);
    return 2;
  }
  try {
    const mod = await load();
    return await mod.run(rest);
  } catch (err) {
    if (err instanceof Interrupted) {
      process.stderr.write(`meshplan ${command}: ${err.message}\n`);
      return INTERRUPTED_EXIT;
    }
    if (err instanceof CliError) {
      process.stderr.write(`meshplan ${command}: ${oneLine(err.message)}\n`);
      return 2;
    }
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`meshplan ${command}: internal error: ${oneLine(message.split('\n')[0])}\n`);
    return 1;
  } finally {
    // bin/meshplan.mjs' ILP thread, if the command did not take it (a baseline, a refused option, a model not found).
    discardIlpThread();
  }
}
