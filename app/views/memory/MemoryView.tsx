/** "Memory": per-device memory of each stage split into params, grads, optimizer state, activations, temporaries,
 * against the device limit (every device of a stage holds the same split). */
import type { MemoryBreakdown, Plan } from '../../../workers/core/plan/types.ts';
import { formatBytes } from '../../format.ts';
import { useApp } from '../../store/store.ts';
import { MEMORY_COLORS, stageColor } from '../colors.ts';

const PARTS: readonly { key: keyof MemoryBreakdown; label: string }[] = [
  { key: 'paramBytes', label: 'params' }, { key: 'gradBytes', label: 'grads' }, { key: 'optimizerBytes', label: 'optimizer' },
  { key: 'activationBytes', label: 'activations' }, { key: 'temporaryBytes', label: 'temporary' },
];
const BAR_W = 520, ROW_H = 26, LABEL_W = 120;

export function MemoryView({ plan }: { plan: Plan }) {
  const selected = useApp((s) => s.selectedStage);
  const select = useApp((s) => s.selectStage);
  const scale = Math.max(...plan.stages.map((s) => Math.max(s.memoryLimitBytes, s.memoryBytesPerDevice)));
  const height = plan.stages.length * ROW_H + 4;
  const over = plan.stages.filter((s) => s.memoryBytesPerDevice > s.memoryLimitBytes);
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap gap-3 text-xs">
        {PARTS.map((p) => <span key={p.key} className="flex items-center gap-1"><span className="inline-block h-2.5 w-2.5 rounded-sm" style={{ background: MEMORY_COLORS[p.key] }} />{p.label}</span>)}
        <span className="flex items-center gap-1"><span className="inline-block h-3 w-0.5 bg-red-600" />device limit</span>
      </div>
      <svg data-figure role="img" aria-label="Memory per device by stage" width={LABEL_W + BAR_W + 150} height={height} className="max-w-full text-slate-700 dark:text-slate-200">
        {plan.stages.map((s, i) => {
          let x = LABEL_W;
          const w = (b: number) => (b / scale) * BAR_W;
          const limitX = LABEL_W + w(s.memoryLimitBytes);
          return (
            <g key={s.index} transform={`translate(0, ${i * ROW_H + 2})`} onClick={() => select(s.index)} className="cursor-pointer">
              {selected === s.index && plan.stages.length > 1 && <rect x={0} y={-2} width={LABEL_W + BAR_W + 150} height={ROW_H} fill={stageColor(s.index)} fillOpacity={0.12} />}
              <rect x={0} y={5} width={8} height={8} fill={stageColor(s.index)} />
              <text x={12} y={13} fontSize={11} fill="currentColor">{`stage ${s.index} (${s.devices.length} dev)`}</text>
              {PARTS.map((p) => {
                const width = w(s.memory[p.key]);
                const el = <rect key={p.key} x={x} y={2} width={width} height={ROW_H - 8} fill={MEMORY_COLORS[p.key]}><title>{`${p.label}: ${formatBytes(s.memory[p.key])}`}</title></rect>;
                x += width;
                return el;
              })}
              <line x1={limitX} x2={limitX} y1={0} y2={ROW_H - 4} stroke="#dc2626" strokeWidth={2} />
              <text x={LABEL_W + BAR_W + 8} y={13} fontSize={11} fill={s.memoryBytesPerDevice > s.memoryLimitBytes ? '#dc2626' : 'currentColor'}>
                {`${formatBytes(s.memoryBytesPerDevice)} / ${formatBytes(s.memoryLimitBytes)}`}
              </text>
            </g>
          );
        })}
      </svg>
      {over.map((s) => (
        <p key={s.index} className="text-sm text-red-700 dark:text-red-300">stage {s.index} exceeds its device memory by {formatBytes(s.memoryBytesPerDevice - s.memoryLimitBytes)}</p>
      ))}
      {!plan.feasible && plan.infeasibleReason && <p className="text-sm text-red-700 dark:text-red-300">{plan.infeasibleReason}</p>}
    </div>
  );
}
