/** A link bandwidth field, in the unit the user reads (GB/s inside a node, Gbit/s between nodes); see CheckedInput. */
import { BANDWIDTH_UNITS, parseBandwidth, type BandwidthUnit } from '../cluster/edit.ts';
import { sig3 } from '../format.ts';
import { CheckedInput } from './CheckedInput.tsx';

export function BandwidthInput({ field, unit, bytesPerSecond, onChange, className }: {
  /** The field's name as its label shows it ("inter-node (Gbit/s)"), used in the message. */
  field: string;
  unit: BandwidthUnit;
  bytesPerSecond: number;
  onChange: (bytesPerSecond: number) => void;
  className: string;
}) {
  return (
    <CheckedInput value={bytesPerSecond} inputMode="decimal" className={className} onChange={onChange}
      format={(b) => sig3(b / BANDWIDTH_UNITS[unit])}
      parse={(text) => { const r = parseBandwidth(field, text, unit); return r.ok ? { ok: true, value: r.bytesPerSecond } : r; }} />
  );
}
