/** Stage colours: the thread through every view (layer strip, device grid, timeline rows, sharding tables). */
import { schemeDark2, schemeTableau10 } from 'd3';

/** 18 distinct colours (plans of up to 16-64 GPUs rarely have more stages); repeats after that. */
const PALETTE: readonly string[] = [...schemeTableau10, ...schemeDark2];

export function stageColor(stage: number): string {
  return PALETTE[stage % PALETTE.length];
}

/** Backward passes in a darker shade of the stage colour. */
export function stageColorDark(stage: number): string {
  const c = stageColor(stage);
  const n = parseInt(c.slice(1), 16);
  const dim = (v: number) => Math.round(v * 0.62).toString(16).padStart(2, '0');
  return `#${dim((n >> 16) & 255)}${dim((n >> 8) & 255)}${dim(n & 255)}`;
}

export const EVENT_COLORS = { send: '#9ca3af', 'gradient-sync': '#7c3aed', update: '#0d9488' } as const;

export const MEMORY_COLORS = {
  paramBytes: '#4e79a7', gradBytes: '#f28e2b', optimizerBytes: '#59a14f', activationBytes: '#e15759', temporaryBytes: '#b07aa1',
} as const;
