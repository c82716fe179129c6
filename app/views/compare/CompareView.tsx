/** The Compare region: 2-4 scenarios side by side, each a full plan, diffed against the first column. */
import { Region } from '../../components/Region.tsx';

export function CompareView() {
  return <Region name="Compare"><p className="text-sm text-slate-500 dark:text-slate-400">Add a scenario to compare it with the current one.</p></Region>;
}
