/**
 * The pattern scheduler: exact step times at several tempos and swings, no hit
 * lost or doubled across look-ahead windows, tempo changes without a jump.
 */
import { describe, expect, it } from 'vitest';
import { emptyPattern, type Pattern } from '../../src/presets/schema.js';
import { patternHits, runSequencer, sixteenth, StepSequencer, swingDelay, type Hit } from '../../src/sequencer/scheduler.js';

/** A pattern with every step of pad 0 at velocity 100 and pad 5 on steps 3 and 12. */
function busy(tempo = 120, swing = 50): Pattern {
  const p = emptyPattern('busy', tempo, swing);
  p.steps[0]!.fill(100);
  p.steps[5]![3] = 64;
  p.steps[5]![12] = 127;
  return p;
}

const key = (h: Hit) => `${h.step}/${h.pad}`;

describe('step times', () => {
  it('a 16th is 60/tempo/4 s; swing delays odd 16ths by (swing − 50)/50 of a 16th', () => {
    expect(sixteenth(120)).toBe(0.125);
    expect(sixteenth(90)).toBeCloseTo(1 / 6, 15);
    expect(swingDelay({ tempo: 120, swing: 50 })).toBe(0);
    expect(swingDelay({ tempo: 120, swing: 75 })).toBe(0.0625);
    expect(swingDelay({ tempo: 120, swing: 200 / 3 })).toBeCloseTo(0.125 / 3, 15);
  });

  const cases: [number, number][] = [
    [120, 50],
    [120, 66],
    [90, 58],
    [174, 75],
    [61.5, 54],
  ];
  for (const [tempo, swing] of cases) {
    it(`${tempo} BPM, swing ${swing} %: every hit at start + k·s (+ swing on odd k), velocities as written`, () => {
      const start = 0.37;
      const s = 60 / tempo / 4;
      const d = ((swing - 50) / 50) * s;
      const p = busy(tempo, swing);
      const hits = patternHits(p, { tempo, swing }, start, start, start + 32 * s);
      const pad0 = hits.filter((h) => h.pad === 0);
      expect(pad0.map((h) => h.step)).toEqual(Array.from({ length: 32 }, (_, k) => k));
      for (const h of pad0) expect(h.time).toBeCloseTo(start + h.step * s + (h.step % 2 ? d : 0), 12);
      const pad5 = hits.filter((h) => h.pad === 5);
      expect(pad5.map((h) => [h.step, h.velocity])).toEqual([[3, 64], [12, 127], [19, 64], [28, 127]]);
      expect(pad5[0]!.time).toBeCloseTo(start + 3 * s + d, 12);
      expect(pad5[1]!.time).toBeCloseTo(start + 12 * s, 12);
    });
  }

  it('nothing before the start, nothing for an empty window, rests are skipped', () => {
    const p = busy();
    expect(patternHits(p, { tempo: 120, swing: 50 }, 1, 0, 1)).toEqual([]);
    expect(patternHits(p, { tempo: 120, swing: 50 }, 0, 0.5, 0.5)).toEqual([]);
    expect(patternHits(emptyPattern('x'), { tempo: 120, swing: 60 }, 0, 0, 10)).toEqual([]);
  });

  it('refuses a tempo or swing out of range, naming it', () => {
    expect(() => patternHits(busy(), { tempo: 0, swing: 50 }, 0, 0, 1)).toThrow('tempo: expected a positive number of BPM, got 0');
    expect(() => patternHits(busy(), { tempo: 120, swing: 80 }, 0, 0, 1)).toThrow('swing: expected 50–75 %, got 80');
  });
});

describe('windows', () => {
  it('consecutive windows of any size give every hit exactly once, identical to one big window', () => {
    for (const [tempo, swing] of [[120, 50], [133, 71], [87, 60]] as const) {
      const p = busy(tempo, swing);
      const g = { tempo, swing };
      const all = patternHits(p, g, 0.1, 0, 8);
      // Irregular window edges, including ones that fall exactly on step times.
      const edges = [0];
      let t = 0;
      let i = 0;
      while (t < 8) {
        t = Math.min(8, t + [0.1, 0.025, 0.0371, sixteenth(tempo), 0.2][i++ % 5]!);
        edges.push(t);
      }
      edges.push(0.1 + 3 * sixteenth(tempo) + swingDelay(g));
      edges.sort((a, b) => a - b);
      const pieces = edges.slice(1).flatMap((b, j) => patternHits(p, g, 0.1, edges[j]!, b));
      expect(pieces.map(key)).toEqual(all.map(key));
      expect(pieces.map((h) => h.time)).toEqual(all.map((h) => h.time));
      expect(new Set(pieces.map(key)).size).toBe(pieces.length);
    }
  });
});

describe('look-ahead sequencer', () => {
  it('hands out each hit once, ahead of time, at the times patternHits gives', () => {
    const p = busy(128, 62);
    const seq = new StepSequencer(p, { lookahead: 0.1 });
    seq.start(2);
    const got: Hit[] = [];
    // A jittery 25 ms timer, with one stall of 300 ms.
    let now = 1.95;
    for (let i = 0; now < 6; i++) {
      const due = seq.advance(now);
      for (const h of due) {
        expect(h.time).toBeLessThan(now + 0.1);
        got.push(h);
      }
      now += i === 40 ? 0.3 : 0.025 + (i % 3) * 0.004;
    }
    const expected = patternHits(p, { tempo: 128, swing: 62 }, 2, 2, got.at(-1)!.time + 1e-9);
    expect(got.map(key)).toEqual(expected.map(key));
    expect(got.map((h) => h.time)).toEqual(expected.map((h) => h.time));
    expect(new Set(got.map(key)).size).toBe(got.length);
  });

  it('a tempo change mid-play moves later steps only, with no hit lost or doubled and no jump back in time', () => {
    const p = busy(120, 66);
    const seq = new StepSequencer(p, { lookahead: 0.1 });
    seq.start(0);
    const got: Hit[] = [];
    for (let now = 0; now < 1; now += 0.025) got.push(...seq.advance(now));
    const before = got.length;
    const lastTime = got.at(-1)!.time;
    seq.setGroove({ tempo: 60 });
    for (let now = 1; now < 3; now += 0.025) got.push(...seq.advance(now));
    const steps = got.filter((h) => h.pad === 0).map((h) => h.step);
    expect(steps).toEqual(Array.from({ length: steps.length }, (_, k) => k));
    for (let i = 1; i < got.length; i++) expect(got[i]!.time).toBeGreaterThanOrEqual(got[i - 1]!.time);
    expect(got[before]!.time).toBeGreaterThanOrEqual(lastTime);
    // After the change, even steps are a 60 BPM 16th (0.25 s) apart.
    const evens = got.slice(before).filter((h) => h.pad === 0 && h.step % 2 === 0);
    for (let i = 1; i < evens.length; i++) expect(evens[i]!.time - evens[i - 1]!.time).toBeCloseTo(0.5, 9);
  });

  it('stop silences it, the playhead follows the clock, a pattern edit applies to unscheduled steps', () => {
    const p = busy(120, 50);
    const seq = new StepSequencer(p);
    expect(seq.advance(0)).toEqual([]);
    seq.start(1);
    expect(seq.stepAt(0.5)).toBe(-1);
    expect(seq.stepAt(1)).toBe(0);
    expect(seq.stepAt(1 + 0.125 * 17.5)).toBe(1);
    seq.advance(1);
    const q = emptyPattern('other', 120, 50);
    q.steps[9]!.fill(30);
    seq.setPattern(q);
    const next = seq.advance(1.2);
    expect(next.length).toBeGreaterThan(0);
    expect(next.every((h) => h.pad === 9 && h.velocity === 30)).toBe(true);
    seq.stop();
    expect(seq.advance(5)).toEqual([]);
    expect(seq.stepAt(5)).toBe(-1);
  });

  it('runSequencer: a 25 ms timer drives trigger() and stops', () => {
    const seq = new StepSequencer(busy(120, 50));
    seq.start(0);
    let now = 0;
    let cb: (() => void) | null = null;
    let interval = 0;
    const triggered: Hit[] = [];
    const stop = runSequencer(seq, {
      now: () => now,
      trigger: (h) => triggered.push(h),
      setInterval: (f, ms) => ((cb = f), (interval = ms), 7),
      clearInterval: (h) => {
        expect(h).toBe(7);
        cb = null;
      },
    });
    expect(interval).toBe(25);
    expect(triggered.map((h) => h.step)).toEqual([0]);
    for (let i = 0; i < 40; i++) {
      now += 0.025;
      cb!();
    }
    expect(triggered.filter((h) => h.pad === 0).map((h) => h.step)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    stop();
    expect(cb).toBeNull();
  });
});
