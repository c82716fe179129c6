import { describe, expect, it } from 'vitest';
import { layoutSweepChart, MARGIN, type ChartInput } from './layout.ts';

const round = (n: number) => Math.round(n * 10) / 10;

const base: ChartInput = {
  values: [1, 2, 4, 8],
  series: [
    { kind: 'searched', label: 'Meshplan', cells: [{ kind: 'value', y: 4 }, { kind: 'value', y: 2 }, { kind: 'value', y: 1 }, { kind: 'value', y: 0.5 }] },
    { kind: 'intra-only', label: 'intra-only', cells: [{ kind: 'value', y: 4 }, { kind: 'infeasible', reason: 'memory: 18 GiB > 16 GiB' }, undefined, { kind: 'value', y: 3 }] },
  ],
  changes: [{ index: 2, text: '1 -> 2 stages' }],
  width: 600,
  height: 300,
};

describe('sweep chart layout', () => {
  it('places the swept values on a linear x axis when they span less than a decade, at their own ticks', () => {
    const l = layoutSweepChart(base);
    expect(l.xLog).toBe(false);
    // 1..8 over [80, 568] (the frame 64..584 inset by 16): 69.7 px per node.
    expect(l.xTicks.map((t) => [t.value, round(t.x)])).toEqual([[1, 80], [2, 149.7], [4, 289.1], [8, 568]]);
    expect(l.plot).toEqual({ left: MARGIN.left, top: MARGIN.top, right: 584, bottom: 264 });
  });
  it('switches both axes to log when values span a decade or more', () => {
    const l = layoutSweepChart({ ...base, values: [10, 25, 100, 400], series: [{ kind: 'searched', label: 'M', cells: [{ kind: 'value', y: 100 }, { kind: 'value', y: 10 }, { kind: 'value', y: 2 }, { kind: 'value', y: 1 }] }] });
    expect(l.xLog).toBe(true);
    expect(l.yLog).toBe(true);
    // Log x: 10 -> left edge, 400 -> right edge, 100 at log(10)/log(40) of the way.
    expect(round(l.xTicks[2].x)).toBe(round(80 + (488 * Math.log(10)) / Math.log(40)));
    expect(l.yTicks.map((t) => t.value)).toContain(10);
  });
  it('draws one mark per planned value, infeasible points in the band above the plot, and gaps where a value is missing', () => {
    const l = layoutSweepChart(base);
    const intra = l.marks.filter((m) => m.series === 'intra-only');
    expect(intra.map((m) => [m.index, m.infeasible ?? null])).toEqual([[0, null], [1, 'memory: 18 GiB > 16 GiB'], [3, null]]);
    expect(intra[1].y).toBe(l.infeasibleY);
    expect(l.infeasibleY).toBeLessThan(l.plot.top);
    // Two separate runs of defined points: the path moves twice (M) and never draws through the gap.
    expect(l.lines.find((x) => x.series === 'intra-only')!.d.match(/M/g)).toHaveLength(2);
    expect(l.lines.find((x) => x.series === 'searched')!.d.match(/M/g)).toHaveLength(1);
    // Linear y starts at 0: the largest value (4) at the top of the (niced) domain.
    expect(l.yTicks[0].value).toBe(0);
    expect(round(l.marks[0].y)).toBe(MARGIN.top);
  });
  it('rounds a linear y axis to the ticks it draws, so the highest mark sits inside the frame (44.5 s under a 50 s top)', () => {
    const l = layoutSweepChart({ ...base, values: [1, 2, 4], series: [{ kind: 'megatron', label: 'M', cells: [{ kind: 'value', y: 44.5 }, { kind: 'value', y: 24 }, { kind: 'value', y: 13 }] }] });
    expect(l.yTicks.map((t) => t.value)).toEqual([0, 10, 20, 30, 40, 50]);
    // 44.5 of 50 over the 224 px plot: 24.6 px below the top.
    expect(round(l.marks[0].y - l.plot.top)).toBe(24.6);
  });
  it('names structure changes at their x and puts GPU types on a point scale', () => {
    const l = layoutSweepChart(base);
    expect(l.changes).toEqual([{ index: 2, text: '1 -> 2 stages', x: l.xTicks[2].x }]);
    const g = layoutSweepChart({ ...base, values: ['V100-16GB', 'A100-40GB'], series: [], changes: [] });
    expect(g.xLog).toBe(false);
    expect(g.xTicks.map((t) => t.value)).toEqual(['V100-16GB', 'A100-40GB']);
    expect(g.xTicks[0].x).toBeGreaterThan(MARGIN.left);
    expect(g.xTicks[1].x).toBeLessThan(584);
  });
});
