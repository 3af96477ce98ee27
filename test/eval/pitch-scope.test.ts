/**
 * The tonal pitch target's scope (scripts/eval-lib.ts): families whose real
 * train notes do not sound at their key are reported but not judged, and the
 * target line says which and why.
 */
import { describe, expect, it } from 'vitest';
import { evaluateTargets, PITCHED_FAMILY_SHARE, pitchedFamilies, pitchStats, type PitchReport } from '../../scripts/eval-lib.js';

const report = (pitched: Array<number | null>, all: Array<number | null>, trainShare: Record<string, number>): PitchReport => {
  const fams = Object.keys(trainShare);
  const s = pitchStats(all);
  return {
    families: fams.map((family) => ({ family, pitches: [48, 60, 72], before: s, after: s })),
    positions: [],
    before: s,
    after: s,
    realBefore: pitchStats([0, 5, 300]),
    realAfter: pitchStats([0, 0, 0]),
    realNearEval: pitchStats([]),
    trainShare,
    pitchedFamilies: pitchedFamilies(fams, trainShare),
    pitchedBefore: pitchStats(pitched),
    pitchedAfter: pitchStats(pitched),
  };
};

describe('tonal pitch target scope', () => {
  it('a family is pitched when at least PITCHED_FAMILY_SHARE of its train notes sit at their key', () => {
    expect(PITCHED_FAMILY_SHARE).toBe(0.5);
    expect(pitchedFamilies(['piano', 'percussive', 'sound-effects', 'organ'], { piano: 0.88, percussive: 0.17, 'sound-effects': 0, organ: 0.5 })).toEqual(['piano', 'organ']);
    expect(pitchedFamilies(['bass'], {})).toEqual([]);
  });

  it('judges the pitched families only, and names the unpitched ones with their share', () => {
    const share = { piano: 0.9, 'sound-effects': 0 };
    const pass = evaluateTargets({}, report([1, -3, 10, 19, 2, 0, 4, 8, 12, 5], [1, -3, 10, 19, 2, 0, 4, 8, 12, 5, null, 400], share));
    const t = pass.find((x) => x.name.startsWith('tonal: ≥ 90 % of notes'))!;
    expect(t.pass).toBe(true);
    expect(t.detail).toMatch(/^100\.0 % of 10 notes in the 1 pitched families/);
    expect(t.detail).toMatch(/all 12 notes: 83\.3 %/);
    expect(t.detail).toMatch(/unpitched in the data: sound-effects \(0 % of train notes at their key\)/);
    const fail = evaluateTargets({}, report([1, 30, null, 25], [1, 30, null, 25], share)).find((x) => x.name.startsWith('tonal: ≥ 90 % of notes'))!;
    expect(fail.pass).toBe(false);
    // No pitched family at all cannot pass.
    expect(evaluateTargets({}, report([], [0, 0], { 'sound-effects': 0 })).find((x) => x.name.startsWith('tonal: ≥ 90 % of notes'))!.pass).toBe(false);
  });
});
