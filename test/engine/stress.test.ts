/**
 * `npm run bench:stress -- --seconds 60` on the tiny fixture models (so the
 * generation workers keep up and the run is about the engine, not the
 * network's speed): 16th notes at 200 BPM over 16 pads and a triad per bar
 * on a pitched channel (KeyboardEngine), with a knob change every second, real generation worker thread, real PlayerCore on an audio
 * thread paced by the wall clock, samples over shared memory.
 *
 * Asserted: no dropped note once every pad has a sound (neither in the pool
 * nor at the worklet); tensors at rest after the run equal those before it;
 * heaps flat within the bounds below; render time per quantum far inside the
 * budget, and late quanta caused by render cost (not by the OS failing to
 * run the thread) rare. Total wall-clock lateness is only sanity-checked: this
 * shared 2-core box runs a training job and other helpers' browsers (load
 * average 8–13), and a Node thread has no real-time priority (the bench asks
 * for nice −10 on the audio thread, which works as root), so the OS takes the
 * audio thread away for up to hundreds of milliseconds; the bench attributes
 * every late quantum to a cause and the report shows them all.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RENDER_QUANTUM, SAMPLE_RATE } from '../../src/audio/constants.js';
import type { StressResult } from '../../scripts/bench-stress.js';

const ROOT = path.resolve(__dirname, '../..');
const SECONDS = 60;
/** Late quanta attributed to render cost allowed, as a fraction of all quanta. */
const RENDER_LATE_TOLERANCE = 0.001;
/** Sanity bound on all late quanta, whatever the cause (a loaded shared box; see above). */
const LATE_SANITY = 0.25;
/** Heap growth allowed over the run, after a full GC (MB). */
const MAIN_HEAP_GROWTH_MB = 16;
const WORKER_HEAP_GROWTH_MB = 32;

describe('bench:stress --seconds 60 (fixture model)', () => {
  it('no dropped notes after the initial fill, tensors and heaps flat, render inside its budget', { timeout: 420_000 }, () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'stress-'));
    const json = path.join(dir, 'stress.json');
    try {
      const run = spawnSync(
        path.join(ROOT, 'node_modules/.bin/tsx'),
        ['scripts/bench-stress.ts', '--seconds', String(SECONDS), '--model', 'test/fixtures/parity', '--tonal', 'test/fixtures/tonal-tiny', '--no-report', '--audio-nice', '-10', '--json', json],
        { cwd: ROOT, encoding: 'utf8', timeout: 400_000 },
      );
      expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
      const r = JSON.parse(readFileSync(json, 'utf8')) as StressResult;
      // The bench's table, so a failure shows every figure.
      console.log(run.stdout.slice(run.stdout.indexOf('| measure')));
      const budgetMs = (RENDER_QUANTUM / SAMPLE_RATE) * 1000;

      // The load happened.
      expect(r.hits).toBeGreaterThanOrEqual(Math.floor((SECONDS * 200 * 4) / 60) - 2);
      expect(r.knobChanges).toBeGreaterThanOrEqual(SECONDS - 2);
      expect(r.generated).toBeGreaterThan(50);
      expect(r.audio.quanta).toBeGreaterThan(((SECONDS * SAMPLE_RATE) / RENDER_QUANTUM) * 0.99);
      expect(r.transport).toBe('shared-memory');
      expect(r.transportStats.shared).toBeGreaterThan(30);
      expect(r.transportStats.poolFull + r.transportStats.tooLong).toBe(0);
      expect(r.audio.sharedCorrupt).toBe(0);

      // No note dropped once the kit is filled: neither "no sound" in the pool nor an unknown sample at the worklet.
      expect(r.fillSeconds).not.toBeNull();
      expect(r.droppedAfterFill).toBe(0);
      expect(r.worklet.dropped).toBe(0);
      expect(r.worklet.nonFinite).toBe(0);
      // Chords: every note plays once its regions are filled.
      expect(r.chords).not.toBeNull();
      expect(r.chords!.fillSeconds).not.toBeNull();
      expect(r.chords!.notes).toBeGreaterThanOrEqual(3 * Math.floor(r.hits / 16));
      expect(r.chords!.played).toBeGreaterThan(0);
      expect(r.chords!.droppedAfterFill).toBe(0);
      expect(r.chords!.tensorsEnd).toBe(r.chords!.tensorsBaseline);
      // Triggers sent after their time (the main thread stalled past the 100 ms look-ahead) still play, a quantum late: reported, sanity-checked only.
      expect(r.lateTriggers).toBeLessThanOrEqual(Math.ceil(r.hits * 0.25));

      // Render time: what the engine controls (p50 and p99 are untouched by rare preemptions).
      expect(r.audio.renderMs.p50).toBeLessThan(budgetMs / 20);
      expect(r.audio.renderMs.p99).toBeLessThan(budgetMs / 4);
      // Lateness: the engine's share within tolerance; the total only sanity-checked.
      const { wokeLate, preempted, blocked, renderCost } = r.audio.lateCause;
      expect(wokeLate + preempted + blocked + renderCost).toBe(r.audio.late);
      expect(renderCost / r.audio.quanta, JSON.stringify(r.audio)).toBeLessThanOrEqual(RENDER_LATE_TOLERANCE);
      expect(r.audio.late / r.audio.quanta, JSON.stringify(r.audio)).toBeLessThanOrEqual(LATE_SANITY);

      // Memory: tensors at rest unchanged, heaps flat.
      expect(r.drained).toBe(true);
      expect(r.tensorsEnd).toBe(r.tensorsBaseline);
      const first = r.memory[0]!;
      const last = r.memory.at(-1)!;
      // Start, end and readings in between (the workers answer between network calls, so fewer than one per 10 s under load).
      expect(r.memory.length).toBeGreaterThanOrEqual(3);
      expect(Math.max(...r.memory.map((m) => m.numTensors))).toBeLessThanOrEqual(r.tensorsBaseline + 50);
      expect(last.mainHeapMB - first.mainHeapMB).toBeLessThan(MAIN_HEAP_GROWTH_MB);
      expect(last.workerHeapMB - first.workerHeapMB).toBeLessThan(WORKER_HEAP_GROWTH_MB);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
