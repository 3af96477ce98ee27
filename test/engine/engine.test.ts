/**
 * The main-thread engine wired to a fake generation worker and a fake player:
 * what reaches the worker, what reaches the worklet, in which order.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PadParams } from '../../src/audio/voices.js';
import { DrumEngine } from '../../src/engine/engine.js';
import { GeneratorClient, type WorkerLike } from '../../src/engine/generator-client.js';
import { parseKit } from '../../src/engine/kit.js';
import type { ModelInfo, WorkerEvent, WorkerRequest } from '../../src/engine/protocol.js';

const KIT = parseKit(JSON.parse(readFileSync(path.resolve(__dirname, '../../presets/default-kit.json'), 'utf8')));
const MODEL: ModelInfo = {
  kind: 'drums', classes: ['kick', 'snare', 'clap', 'rim', 'closed-hat', 'open-hat', 'tom', 'crash', 'ride', 'perc'],
  sampleRate: 44100, length: 64, nMels: 16, nFrames: 8, params: 1000, defaultSteps: 10, defaultGuidance: 3,
};

/** A worker that answers each generate message after `flush()`. */
class FakeWorker implements WorkerLike {
  sent: WorkerRequest[] = [];
  queue: { id: number; seed: number }[] = [];
  cancelled: number[] = [];
  private listener: ((e: MessageEvent<WorkerEvent>) => void) | null = null;
  constructor(private readonly model: ModelInfo = MODEL) {}
  postMessage(msg: WorkerRequest): void {
    this.sent.push(msg);
    if (msg.type === 'init') {
      queueMicrotask(() => {
        this.emit({ type: 'backend', backend: 'webgpu', reason: 'first choice', attempts: [{ backend: 'webgpu', ok: true, reason: '' }] });
        this.emit({ type: 'ready', backend: 'webgpu', model: this.model, loadMs: 1, warmUpMs: 1 });
      });
    }
    if (msg.type === 'generate') for (const j of msg.jobs) this.queue.push({ id: j.id, seed: j.request.seed });
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
  /** Answer up to n queued jobs. */
  flush(n = Infinity): void {
    const jobs = this.queue.splice(0, n);
    for (const j of jobs) {
      this.emit({ type: 'result', id: j.id, audio: new Float32Array(64).fill(0.5), sampleRate: 44100, backend: 'webgpu', ms: 10, batchMs: 10 * jobs.length, batchSize: jobs.length });
    }
  }
}

class FakePlayer {
  uploads: number[] = [];
  triggers: { pad: number; id: number; velocity: number }[] = [];
  freed: number[] = [];
  pads = new Map<number, Partial<PadParams>>();
  choke: boolean | null = null;
  upload(id: number): void { this.uploads.push(id); }
  free(ids: readonly number[]): void { this.freed.push(...ids); }
  trigger(pad: number, id: number, velocity: number): void { this.triggers.push({ pad, id, velocity }); }
  setPad(pad: number, p: Partial<PadParams>): void { this.pads.set(pad, p); }
  setChoke(on: boolean): void { this.choke = on; }
}

const tick = () => new Promise((r) => setTimeout(r, 0));

async function started(kit = KIT) {
  const worker = new FakeWorker();
  const player = new FakePlayer();
  let now = 0;
  const engine = new DrumEngine({ kit, client: new GeneratorClient(worker), player, now: () => ++now });
  await engine.start();
  await tick();
  return { worker, player, engine };
}

describe('DrumEngine', () => {
  it('maps every pad, sets choke groups, and keeps at most two batches out', async () => {
    const { worker, player } = await started();
    expect(player.pads.size).toBe(16);
    expect(player.pads.get(10)).toMatchObject({ chokeGroup: 1 }); // open hat (46)
    expect(player.pads.get(6)).toMatchObject({ chokes: 2 }); // closed hat (42)
    expect(player.pads.get(8)).toMatchObject({ chokes: 2 }); // pedal hat (44)
    expect(player.choke).toBe(true);
    expect(worker.queue.length).toBe(16);
    // First round: one seed sound per pad before any top-ups.
    const gen = worker.sent.filter((m): m is Extract<WorkerRequest, { type: 'generate' }> => m.type === 'generate');
    expect(gen).toHaveLength(1);
    expect(gen[0]!.jobs.map((j) => j.request.variation)).toEqual(new Array(16).fill(undefined));
    expect(gen[0]!.jobs.map((j) => j.request.steps)).toEqual(new Array(16).fill(10));
  });

  it('plays generated one-shots, a new variation per hit, and frees the ones played', async () => {
    const { worker, player, engine } = await started();
    expect(engine.hit(0, 100)).toBe(false); // nothing yet
    for (let i = 0; i < 6; i++) {
      worker.flush();
      await tick();
    }
    expect(engine.padState(0)).toMatchObject({ ready: 4, wanted: 4 });
    expect(player.uploads.length).toBe(64);
    expect(engine.hit(0, 100)).toBe(true);
    expect(engine.hit(0, 90)).toBe(true);
    const [a, b] = player.triggers;
    expect(a!.pad).toBe(0);
    expect(a!.id).not.toBe(b!.id);
    expect(player.freed).toEqual([a!.id]);
    await tick();
    expect(worker.queue.length).toBe(2); // refills for pad 0
  });

  it('a knob change cancels stale jobs, keeps the old sound until the new one arrives', async () => {
    const { worker, player, engine } = await started();
    for (let i = 0; i < 6; i++) {
      worker.flush();
      await tick();
    }
    const oldId = (engine.hit(3, 100), player.triggers.at(-1)!.id);
    engine.setGlobals({ guidance: 5 });
    await tick();
    expect(engine.padState(3)).toMatchObject({ ready: 0, regenerating: true, playable: true });
    engine.hit(3, 100);
    const during = player.triggers.at(-1)!.id;
    expect(player.uploads).toContain(during);
    expect(during).not.toBe(oldId);
    const gen = worker.sent.filter((m): m is Extract<WorkerRequest, { type: 'generate' }> => m.type === 'generate').at(-1)!;
    expect(gen.jobs.every((j) => j.request.guidance === 5)).toBe(true);
    // Another change before anything arrived: the queued jobs are cancelled at the worker.
    engine.setGlobals({ guidance: 6 });
    await tick();
    expect(worker.cancelled.length).toBeGreaterThan(0);
    worker.flush();
    await tick();
    engine.hit(3, 100);
    expect(player.uploads).toContain(player.triggers.at(-1)!.id);
    expect(engine.padState(3).regenerating).toBe(false);
  });

  it('refuses a tonal model for the pads', async () => {
    const worker = new FakeWorker({ ...MODEL, kind: 'tonal' });
    const engine = new DrumEngine({ kit: KIT, client: new GeneratorClient(worker), player: new FakePlayer() });
    await expect(engine.start()).rejects.toThrow(/drums model/);
  });
});

describe('default kit preset', () => {
  it('is valid: 16 pads on GM notes 36–51 with drum classes and seeds', () => {
    expect(KIT.pads.map((p) => p.note)).toEqual(Array.from({ length: 16 }, (_, i) => 36 + i));
    expect(KIT.model).toBe('/models/drums');
    expect(() => parseKit({ ...KIT, pads: KIT.pads.slice(1) })).toThrow(/pads/);
    expect(() => parseKit({ ...KIT, pads: KIT.pads.map((p, i) => (i === 3 ? { ...p, class: 'cowbell' } : p)) })).toThrow(/pads.3.class/);
  });
});
