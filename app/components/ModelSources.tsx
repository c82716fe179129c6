/** Where a model comes from: a file (input or drop), a sample, the zoo with dimension sliders, a pasted HF config. */
import { useEffect, useId, useState } from 'react';
import { useActions } from '../client/context.ts';
import { SAMPLES } from '../model/samples.ts';
import { FAMILY_DIMS, zooFamily } from '../model/zooDims.ts';
import { useApp } from '../store/store.ts';
import { buttonClass, inputClass } from './Region.tsx';

function ZooDims({ name }: { name: string }) {
  const actions = useActions();
  const config = useApp((s) => s.graph?.config);
  const dims = FAMILY_DIMS[zooFamily(name)];
  const [draft, setDraft] = useState<Record<string, number>>({});
  useEffect(() => setDraft({}), [name, config]);
  if (!dims || !config) return null;
  const value = (k: string) => draft[k] ?? config[k] ?? 0;
  const changed = Object.keys(draft).length > 0;
  return (
    <details className="text-xs">
      <summary className="cursor-pointer">Dimensions</summary>
      <div className="mt-1 space-y-1">
        {dims.map((d) => (
          <label key={d.key} className="flex items-center gap-2">
            <span className="w-20">{d.label}</span>
            <input type="range" aria-label={d.label} min={d.min} max={d.max} step={d.step} value={value(d.key)}
              onChange={(e) => setDraft({ ...draft, [d.key]: Number(e.target.value) })} className="flex-1" />
            <span className="tabular w-14 text-right">{value(d.key)}</span>
          </label>
        ))}
        <button type="button" className={buttonClass} disabled={!changed}
          onClick={() => void actions.loadSource({ kind: 'zoo', name, dims: Object.fromEntries(dims.map((d) => [d.key, value(d.key)])) })}>
          Build with these dimensions
        </button>
      </div>
    </details>
  );
}

function HfConfig() {
  const actions = useActions();
  const [text, setText] = useState('');
  return (
    <details className="text-xs">
      <summary className="cursor-pointer">Paste HF config.json</summary>
      <textarea aria-label="Hugging Face config.json" className={`${inputClass} mt-1 h-24 w-full font-mono text-xs`} value={text}
        placeholder='{"model_type": "llama", "hidden_size": 4096, ...}' onChange={(e) => setText(e.target.value)} />
      <button type="button" className={buttonClass} disabled={!text.trim()} onClick={() => void actions.loadSource({ kind: 'hf', text })}>Load config</button>
    </details>
  );
}

export function ModelSources() {
  const actions = useActions();
  const fileId = useId();
  const source = useApp((s) => s.source);
  const loading = useApp((s) => s.jobs.model !== undefined);
  const [zoo, setZoo] = useState<readonly string[]>([]);
  useEffect(() => { void actions.zooNames().then(setZoo, () => setZoo([])); }, [actions]);
  const zooName = source.kind === 'zoo' ? source.name : '';
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center gap-2">
        <label htmlFor={fileId} className={`${buttonClass} cursor-pointer`}>Open model file</label>
        <input id={fileId} type="file" className="sr-only" accept=".onnx,.mlir,.stablehlo,.hlo,.txt,.json"
          onChange={(e) => { const f = e.target.files?.[0]; e.target.value = ''; if (f) void actions.openFile(f); }} />
        <select aria-label="Samples" className={inputClass} value="" onChange={(e) => e.target.value && void actions.loadSource({ kind: 'sample', file: e.target.value })}>
          <option value="">Samples…</option>
          {SAMPLES.map((s) => <option key={s.file} value={s.file}>{s.label}</option>)}
        </select>
        <select aria-label="Zoo model" className={inputClass} value={zooName} onChange={(e) => e.target.value && void actions.loadSource({ kind: 'zoo', name: e.target.value })}>
          <option value="">Zoo…</option>
          {zoo.map((n) => <option key={n} value={n}>{n}</option>)}
        </select>
        {loading && <span className="text-xs text-slate-500">loading…</span>}
      </div>
      <p className="text-xs text-slate-500 dark:text-slate-400">or drop a file anywhere on the page</p>
      {zooName && <ZooDims name={zooName} />}
      <HfConfig />
    </div>
  );
}
