/** The Sweep region: one variable over a list of values, planned point by point in the worker pool. */
import { Region } from '../../components/Region.tsx';

export function SweepView() {
  return <Region name="Sweep"><p className="text-sm text-slate-500 dark:text-slate-400">Pick a variable and its values, then run the sweep.</p></Region>;
}
