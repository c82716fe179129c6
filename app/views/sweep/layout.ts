/**
 * The sweep chart's geometry (pure, no React): x from the swept values (log when they span a decade or more, a point
 * scale for GPU types), y from the chosen metric (log likewise), one path per series with gaps where a point has no
 * value, marks per point, infeasible points in a band above the plot, and the points where the plan's structure
 * changes. d3 computes; the view draws.
 */
import { line, scaleLinear, scaleLog, scalePoint } from 'd3';

/** One series' value at one swept value: undefined while not planned. */
export type ChartCell =
  | { readonly kind: 'value'; readonly y: number }
  | { readonly kind: 'infeasible'; readonly reason: string }
  | undefined;

export interface ChartSeries {
  readonly kind: string;
  readonly label: string;
  readonly cells: readonly ChartCell[];
}

export interface ChartInput {
  readonly values: readonly (number | string)[];
  readonly series: readonly ChartSeries[];
  /** Index of each point where the plan's structure changes, and how (from the core). */
  readonly changes: readonly { readonly index: number; readonly text: string }[];
  readonly width: number;
  readonly height: number;
}

export interface ChartMark {
  readonly series: string;
  readonly index: number;
  readonly x: number;
  readonly y: number;
  readonly infeasible?: string;
}

export interface ChartLayout {
  readonly plot: { readonly left: number; readonly top: number; readonly right: number; readonly bottom: number };
  /** y of the band where infeasible points sit (above the plot). */
  readonly infeasibleY: number;
  readonly xLog: boolean;
  readonly yLog: boolean;
  readonly xTicks: readonly { readonly x: number; readonly value: number | string }[];
  readonly yTicks: readonly { readonly y: number; readonly value: number }[];
  readonly lines: readonly { readonly series: string; readonly d: string }[];
  readonly marks: readonly ChartMark[];
  readonly changes: readonly { readonly index: number; readonly x: number; readonly text: string }[];
}

export const MARGIN = { left: 64, right: 16, top: 40, bottom: 36 } as const;
/** Pixels between the frame and the first / last swept value. */
export const X_INSET = 16;
/** Values spanning this ratio or more get a log axis. */
export const LOG_RATIO = 10;

const spansDecade = (values: readonly number[]): boolean => {
  const positive = values.filter((v) => v > 0);
  if (positive.length < 2 || positive.length < values.length) return false;
  return Math.max(...positive) / Math.min(...positive) >= LOG_RATIO;
};

function xScale(values: readonly (number | string)[], left: number, right: number): { at: (i: number) => number; log: boolean; ticks: ChartLayout['xTicks'] } {
  const numeric = values.every((v) => typeof v === 'number');
  if (!numeric || values.length < 2) {
    const s = scalePoint<number>().domain(values.map((_, i) => i)).range([left, right]).padding(0.5);
    return { at: (i) => s(i) ?? left, log: false, ticks: values.map((value, i) => ({ x: s(i) ?? left, value })) };
  }
  const nums = values as readonly number[];
  const log = spansDecade(nums);
  const lo = Math.min(...nums), hi = Math.max(...nums);
  const s = (log ? scaleLog() : scaleLinear()).domain(lo === hi ? [lo - 1, hi + 1] : [lo, hi]).range([left, right]);
  // Ticks at the swept values themselves: they are what the user chose (and few: at most 64).
  return { at: (i) => s(nums[i]), log, ticks: nums.map((value) => ({ x: s(value), value })) };
}

export function layoutSweepChart(input: ChartInput): ChartLayout {
  const plot = { left: MARGIN.left, top: MARGIN.top, right: input.width - MARGIN.right, bottom: input.height - MARGIN.bottom };
  // Points sit inside the frame, not on it: their marks and labels stay whole.
  const x = xScale(input.values, plot.left + X_INSET, plot.right - X_INSET);
  const ys = input.series.flatMap((s) => s.cells.flatMap((c) => (c?.kind === 'value' && Number.isFinite(c.y) ? [c.y] : [])));
  const yLog = spansDecade(ys);
  const lo = ys.length ? Math.min(...ys) : 0, hi = ys.length ? Math.max(...ys) : 1;
  const domain: [number, number] = yLog ? [lo, hi] : [Math.min(0, lo), hi === lo ? hi + 1 : hi];
  // Rounded to the ticks drawn (5 on a linear axis): rounded finer, the top bound sat just above the highest point
  // (44.5 s under a 45 s frame) and its mark was cut by the frame.
  const y = yLog ? scaleLog().domain(domain).range([plot.bottom, plot.top]).nice() : scaleLinear().domain(domain).range([plot.bottom, plot.top]).nice(5);
  const infeasibleY = plot.top - 18;
  const marks: ChartMark[] = [];
  const lines = input.series.map((s) => {
    s.cells.forEach((c, index) => {
      if (c?.kind === 'value' && Number.isFinite(c.y)) marks.push({ series: s.kind, index, x: x.at(index), y: y(c.y) });
      else if (c?.kind === 'infeasible') marks.push({ series: s.kind, index, x: x.at(index), y: infeasibleY, infeasible: c.reason });
    });
    const path = line<ChartCell>()
      .defined((c) => c?.kind === 'value' && Number.isFinite(c.y))
      .x((_, i) => x.at(i))
      .y((c) => y((c as { y: number }).y));
    return { series: s.kind, d: path([...s.cells]) ?? '' };
  });
  return {
    plot, infeasibleY, xLog: x.log, yLog,
    xTicks: x.ticks,
    yTicks: y.ticks(yLog ? 4 : 5).map((value) => ({ y: y(value), value })),
    lines, marks,
    changes: input.changes.filter((c) => c.index < input.values.length).map((c) => ({ ...c, x: x.at(c.index) })),
  };
}
