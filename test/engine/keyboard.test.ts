/**
 * KeyboardEngine with a fake generation worker and a fake player: which
 * regions are generated and in what order, what reaches the player, and
 * how a family change keeps the old sound until the new one arrives.
 */
import { describe, expect, it } from 'vitest';
import type { KeyboardParams } from '../../src/audio/voices.js';
import { GM_FAMILIES } from '../../src/constants.js';
import { GeneratorClient, type WorkerLike } from '../../src/engine/generator-client.js';
import { bendSemitones, KEYBOARD_SAMPLE_ID_BASE, KeyboardEngine, type KeyboardSettings } from '../../src/engine/keyboard.js';
import { familyRange, regionLayout, regionOf, regionRoot, regionsForNotes } from '../../src/engine/keyboard-regions.js';
import { measureDetune } from '../../src/engine/keyboard-tuning.js';
import type { ModelInfo, SynthRequest, WorkerEvent, WorkerRequest } from '../../src/engine/protocol.js';
import { harmonicTone, midiHz } from '../audio/analysis.js';

const TONAL: ModelInfo = {
  kind: 'tonal', classes: [...GM_FAMILIES], sampleRate: 44100, length: 64, nMels: 16, nFrames: 8, params: 1000, defaultSteps: 10, defaultGuidance: 3,
};

/** A worker that answers generate messages when flush() is called, with `audioFor(request)`. */
class FakeWorker implements WorkerLike {
  queue: { id: number; request: SynthRequest }[] = [];
  requested: SynthRequest[] = [];
  cancelled: number[] = [];
  private listener: ((e: MessageEvent<WorkerEvent>) => void) | null = null;
  constructor(
    private readonly model: ModelInfo = TONAL,
    private readonly audioFor: (r: SynthRequest) => Float32Array = () => new Float32Array(64).fill(0.5),
  ) {}
  postMessage(msg: WorkerRequest): void {
    if (msg.type === 'init') {
      queueMicrotask(() => {
        this.emit({ type: 'backend', backend: 'cpu', reason: 'test', attempts: [{ backend: 'cpu', ok: true, reason: '' }] });
        this.emit({ type: 'ready', backend: 'cpu', model: this.model, loadMs: 1, warmUpMs: 1 });
      });
    }
    if (msg.type === 'generate') {
      for (const j of msg.jobs) {
        this.queue.push(j);
        this.requested.push(j.request);
      }
    }
    if (msg.type === 'cancel') {
      this.cancelled.push(...msg.ids);
      this.queue = this.queue.filter((j) => !msg.ids.includes(j.id));
    }
  }
  addEventListener(type: string, cb: (e: never) => void): void {
    if (type === 'message') this.listener = cb as (e: MessageEvent<WorkerEvent>) => void;
  }
  terminate(): void {}
  emit(ev: WorkerEvent): void {
    this.listener?.({ data: ev } as MessageEvent<WorkerEvent>);
  }
  flush(n = Infinity): void {
    for (const j of this.queue.splice(0, n)) {
      this.emit({ type: 'result', id: j.id, audio: this.audioFor(j.request), sampleRate: 44100, backend: 'cpu', ms: 1, batchMs: 1, batchSize: 1 });
    }
  }
}

class FakePlayer {
  uploads: number[] = [];
  freed: number[] = [];
  notes: { channel: number; note: number; id: number; velocity: number; semitones: number }[] = [];
  offs: { channel: number; note: number }[] = [];
  pedal: { channel: number; down: boolean }[] = [];
  bends: { channel: number; semitones: number }[] = [];
  keyboard: Partial<KeyboardParams>[] = [];
  upload(id: number): void { this.uploads.push(id); }
  free(ids: readonly number[]): void { this.freed.push(...ids); }
  noteOn(channel: number, note: number, id: number, velocity: number, semitones: number): void { this.notes.push({ channel, note, id, velocity, semitones }); }
  noteOff(channel: number, note: number): void { this.offs.push({ channel, note }); }
  sustain(channel: number, down: boolean): void { this.pedal.push({ channel, down }); }
  bend(channel: number, semitones: number): void { this.bends.push({ channel, semitones }); }
  setKeyboard(p: Partial<KeyboardParams>): void { this.keyboard.push(p); }
}

const tick = () => new Promise((r) => setTimeout(r, 0));

async function started(settings: Partial<KeyboardSettings> = {}, worker = new FakeWorker(), variations = 2) {
  const player = new FakePlayer();
  let now = 0;
  const kb = new KeyboardEngine({ client: new GeneratorClient(worker), player, settings, variations, now: () => ++now });
  await kb.start({ modelUrl: '/models/tonal' });
  await tick();
  return { worker, player, kb };
}

describe('regions', () => {
  it('a root every rootSpacing semitones from middle C, inside the family range; ties go to the upper root', () => {
    const l = regionLayout(6, familyRange('synth-lead')); // 36–96
    expect([regionRoot(l, l.kMin), regionRoot(l, l.kMax)]).toEqual([36, 96]);
    expect(regionRoot(l, regionOf(l, 60))).toBe(60);
    expect(regionRoot(l, regionOf(l, 62))).toBe(60);
    expect(regionRoot(l, regionOf(l, 63))).toBe(66); // tie → upper, played 3 semitones down
    expect(regionRoot(l, regionOf(l, 57))).toBe(60);
    expect(regionRoot(l, regionOf(l, 20))).toBe(36); // below the range: nearest root in range
    expect(regionRoot(l, regionOf(l, 110))).toBe(96);
    const bass = regionLayout(12, familyRange('bass')); // 28–64
    expect([regionRoot(bass, bass.kMin), regionRoot(bass, bass.kMax)]).toEqual([36, 60]);
    expect(regionsForNotes(regionLayout(6, familyRange('piano')), 54, 78).map((k) => 60 + 6 * k)).toEqual([54, 60, 66, 72, 78]);
    // Between the first and last root, no note is further than half a spacing from its root.
    for (let s = 1; s <= 12; s++) {
      const lay = regionLayout(s, [36, 96]);
      for (let n = regionRoot(lay, lay.kMin); n <= regionRoot(lay, lay.kMax); n++) {
        expect(Math.abs(n - regionRoot(lay, regionOf(lay, n)))).toBeLessThanOrEqual(Math.ceil(s / 2));
      }
    }
  });

  it('rejects a bad spacing with one line naming it', () => {
    expect(() => regionLayout(0, [36, 96])).toThrow('rootSpacing must be an integer 1–12 semitones, got 0');
    expect(() => regionLayout(13, [36, 96])).toThrow(/got 13/);
    expect(() => new KeyboardEngine({ client: new GeneratorClient(new FakeWorker()), player: new FakePlayer(), settings: { rootSpacing: 2.5 } })).toThrow(/rootSpacing .* got 2.5/);
    expect(() => new KeyboardEngine({ client: new GeneratorClient(new FakeWorker()), player: new FakePlayer(), settings: { bendRange: 30 } })).toThrow('keyboard bendRange must be 0–12 semitones, got 30');
  });
});

describe('KeyboardEngine', () => {
  it('generates only the visible regions at start, never all 128 notes', async () => {
    const { worker, kb } = await started(); // view: 24 semitones around 66
    const pitches = [...new Set(worker.requested.map((r) => r.pitch))].sort((a, b) => a! - b!);
    expect(pitches).toEqual([54, 60, 66, 72, 78]);
    expect(worker.requested.every((r) => r.family === 'synth-lead' && r.class === undefined)).toBe(true);
    expect(worker.requested.length).toBe(10); // 5 regions × 2 variations
    expect(kb.regions().map((r) => r.root)).toEqual([54, 60, 66, 72, 78]);
  });

  it('with no view, regions are requested lazily when played, the most recently played first', async () => {
    const { worker, kb, player } = await started({ view: 0 });
    expect(worker.requested).toEqual([]);
    // Three notes in three regions before anything exists: all dropped, counted, nothing reaches the player.
    expect(kb.noteOn(1, 40, 100)).toBe(false);
    expect(kb.noteOn(1, 84, 100)).toBe(false);
    expect(kb.noteOn(1, 61, 100)).toBe(false);
    expect(kb.stats.notReady).toBe(3);
    expect(player.notes).toEqual([]);
    await tick();
    // First one-shot of each region, newest first (61 → root 60, 84 → 84, 40 → 42), then the top-ups.
    expect(worker.requested.map((r) => r.pitch)).toEqual([60, 84, 42, 60, 84, 42]);
  });

  it('plays a note as its root transposed by the difference, with the root\'s measured detune folded in', async () => {
    // The fake model sings every root 30 cents sharp.
    const worker = new FakeWorker(TONAL, (r) => harmonicTone(midiHz(r.pitch! + 0.3), 0.5));
    const { player, kb } = await started({ view: 0 }, worker);
    kb.noteOn(1, 63, 100);
    await tick();
    worker.flush();
    await tick();
    expect(kb.noteOn(1, 63, 90)).toBe(true); // root 66
    const n = player.notes.at(-1)!;
    expect(n).toMatchObject({ channel: 1, note: 63, velocity: 90 });
    expect(n.semitones).toBeCloseTo(-3.3, 2);
    expect(n.id).toBeGreaterThanOrEqual(KEYBOARD_SAMPLE_ID_BASE);
    expect(player.uploads).toContain(n.id);
    kb.setSettings({ tuneCorrection: false });
    kb.noteOn(1, 68, 90);
    expect(player.notes.at(-1)!.semitones).toBe(2);
  });

  it('note-off, velocity-0 note-on, pedal and bend reach the player; bend is scaled by the range', async () => {
    const { player, kb } = await started({ view: 0, bendRange: 2 });
    kb.noteOff(3, 60);
    kb.noteOn(3, 62, 0);
    kb.sustain(3, true);
    kb.pitchBend(3, 16383);
    kb.pitchBend(3, 0);
    kb.pitchBend(3, 8192);
    kb.setSettings({ bendRange: 12 });
    kb.pitchBend(3, 4096);
    expect(player.offs).toEqual([{ channel: 3, note: 60 }, { channel: 3, note: 62 }]);
    expect(player.pedal).toEqual([{ channel: 3, down: true }]);
    expect(player.bends.map((b) => b.semitones)).toEqual([2, -2, 0, -6]);
    expect(bendSemitones(8191, 2)).toBeCloseTo(-2 / 8192, 9);
    kb.setSettings({ release: 0.5, gainDb: -6 });
    expect(player.keyboard.at(-1)).toEqual({ release: 0.5, gainDb: -6 });
  });

  it('drops notes beyond ±24 semitones of every root of the family, and counts them', async () => {
    const { kb } = await started({ family: 'bass', view: 0 }); // bass roots 30–60
    expect(kb.noteOn(1, 100, 100)).toBe(false);
    expect(kb.stats.outOfRange).toBe(1);
    expect(kb.regions()).toEqual([]);
  });

  it('changing the family regenerates in the background; the old sound plays until the new one arrives', async () => {
    const worker = new FakeWorker();
    const { player, kb } = await started({ view: 0 }, worker);
    kb.noteOn(1, 60, 100);
    await tick();
    worker.flush();
    await tick();
    expect(kb.noteOn(1, 60, 100)).toBe(true);
    const oldIds = new Set(player.uploads);
    const before = worker.requested.length;
    kb.setSettings({ family: 'organ' });
    await tick();
    const fresh = worker.requested.slice(before);
    expect(fresh.length).toBeGreaterThan(0);
    expect(fresh.every((r) => r.family === 'organ' && r.pitch === 60)).toBe(true);
    expect(kb.regions()[0]).toMatchObject({ root: 60, regenerating: true, playable: true });
    // Still the synth-lead one-shots until an organ one is delivered.
    expect(kb.noteOn(1, 61, 100)).toBe(true);
    expect(oldIds.has(player.notes.at(-1)!.id)).toBe(true);
    worker.flush(1);
    await tick();
    expect(kb.noteOn(1, 61, 100)).toBe(true);
    expect(oldIds.has(player.notes.at(-1)!.id)).toBe(false);
    expect(player.freed.some((id) => oldIds.has(id))).toBe(true); // the old one-shots were let go
    expect(() => kb.setSettings({ family: 'kazoo' })).toThrow('keyboard family "kazoo" is not in the model');
  });

  it('keeps at most maxRegions played regions outside the view, dropping the least recently played', async () => {
    const worker = new FakeWorker();
    const { player, kb } = await started({ view: 0, maxRegions: 2 }, worker);
    for (const note of [48, 60, 72]) {
      kb.noteOn(1, note, 100);
      await tick();
      worker.flush();
      await tick();
    }
    expect(kb.regions().map((r) => r.root)).toEqual([60, 72]);
    expect(player.freed.length).toBeGreaterThan(0);
    // A view adds its regions (notes 30–42 → roots 36 and 42: synth-lead's range starts at 36).
    kb.setSettings({ view: 12, centre: 36 });
    expect(kb.regions().map((r) => r.root)).toEqual([36, 42, 60, 72]);
  });

  it('changing the spacing moves the roots', async () => {
    const { worker, kb } = await started({ view: 12, centre: 60, rootSpacing: 12 }); // notes 54–66
    expect(kb.regions().map((r) => r.root)).toEqual([60, 72]); // 66 is half-way: the upper root plays it
    kb.setSettings({ rootSpacing: 4 });
    await tick();
    expect(kb.regions().map((r) => r.root)).toEqual([56, 60, 64, 68]);
    expect(worker.requested.some((r) => r.pitch === 56)).toBe(true);
  });

  it('all-notes-off releases the sounding notes of that channel only; octave shifts move the view', async () => {
    const worker = new FakeWorker();
    const { player, kb } = await started({ view: 24, centre: 66 }, worker);
    worker.flush();
    await tick();
    expect(kb.noteOn(1, 60, 100) && kb.noteOn(1, 64, 100) && kb.noteOn(2, 67, 100)).toBe(true);
    expect(kb.heldNotes()).toEqual([60, 64, 67]);
    kb.allNotesOff(1);
    expect(player.offs).toEqual([{ channel: 1, note: 60 }, { channel: 1, note: 64 }]);
    expect(kb.heldNotes()).toEqual([67]);
    kb.shiftOctave(1);
    expect(kb.settings.centre).toBe(78);
    expect(kb.visibleRoots()).toEqual([66, 72, 78, 84, 90]);
  });

  it('refuses a drums model with a clear error', async () => {
    const drums = { ...TONAL, kind: 'drums' as const, classes: ['kick'] };
    const kb = new KeyboardEngine({ client: new GeneratorClient(new FakeWorker(drums)), player: new FakePlayer() });
    await expect(kb.start({ modelUrl: '/models/drums' })).rejects.toThrow('the keyboard needs a tonal model; /models/drums is a drums model');
  });
});

describe('root tuning', () => {
  it('measures a root\'s detune within 1 cent, and leaves wrong notes and noise alone', () => {
    for (const c of [-40, -12, 0, 7, 30]) {
      const d = measureDetune(harmonicTone(midiHz(57 + c / 100), 1), 44100, 57);
      expect(Math.abs(d! - c)).toBeLessThan(1);
    }
    expect(measureDetune(harmonicTone(midiHz(58), 1), 44100, 57)).toBeNull(); // a semitone off: a wrong note, not a detune
    const noise = Float32Array.from({ length: 44100 }, (_, i) => Math.sin(i * 12.9898) * 43758.5453 % 1);
    expect(measureDetune(noise, 44100, 57)).toBeNull();
  });
});
