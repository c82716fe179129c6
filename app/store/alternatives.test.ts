import { describe, expect, it } from 'vitest';
import { FIXTURE_PLAN } from '../views/fixturePlan.ts';
import { alternativesFromJson, alternativesOf } from './alternatives.ts';

describe('alternatives', () => {
  it('keeps plans as given, or parses their JSON bytes once on the first ask', () => {
    const other = { ...FIXTURE_PLAN, label: 'inter-op only', stepSeconds: 2 };
    expect(alternativesOf([other]).steps).toEqual([{ label: 'inter-op only', stepSeconds: 2 }]);
    const lazy = alternativesFromJson([{ label: 'inter-op only', stepSeconds: 2 }], new TextEncoder().encode(JSON.stringify([other])));
    const first = lazy.plans();
    expect(first).toEqual([other]);
    expect(lazy.plans()).toBe(first);
  });
});
