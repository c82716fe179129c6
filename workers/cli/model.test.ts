import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CliError } from './args.ts';
import { loadModelArg } from './model.ts';
import { ZOO_NAMES } from '../core/zoo/index.ts';

const importersPresent = existsSync(fileURLToPath(new URL('../core/import/index.ts', import.meta.url)));
const fixture = fileURLToPath(new URL('../../../shared/fixtures/onnx/gpt2-124m.onnx', import.meta.url));

describe('loadModelArg', () => {
  it('builds zoo models with batch and seq', async () => {
    const g = await loadModelArg('zoo:llama-tiny', { batch: 3, seq: 16 });
    expect([g.name, g.batch, g.seq, g.family]).toEqual(['llama-tiny', 3, 16, 'llama']);
  });

  it('turns an unknown zoo name into a one-line CliError with a few suggestions', async () => {
    const err = await loadModelArg('zoo:wresnet-3B', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect((err as Error).message).toBe(
      `unknown zoo model 'wresnet-3B' (try: zoo:wresnet-250M, zoo:wresnet-500M, zoo:wresnet-1B, zoo:wresnet-2B, zoo:wresnet-4B, zoo:wresnet-6.8B, zoo:wresnet-13B, zoo:gpt-350M; ${ZOO_NAMES.length} in all)`,
    );
  });

  it('names a missing file', async () => {
    await expect(loadModelArg('/tmp/meshplan-missing.onnx', {})).rejects.toThrow(new CliError('model file not found: /tmp/meshplan-missing.onnx'));
  });

  it('hands a file to the importers, or says they are not there yet', async () => {
    const result = await loadModelArg(fixture, {}).then((g) => `graph from ${g.source}`, (e: Error) => e.message);
    if (importersPresent) expect(result).toMatch(/^graph from .*gpt2-124m\.onnx$/);
    else expect(result).toBe('importers not available yet (workers/core/import/index.ts is missing); use --model zoo:NAME');
  });
});
