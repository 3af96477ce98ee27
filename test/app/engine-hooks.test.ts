/**
 * The engine hooks the panel uses (src/engine/engine.ts): descriptor targets
 * per pad class from the timbre knobs reach the worker's requests (and
 * regenerate the pads), and every delivered one-shot of a pad's current
 * sound is announced with its pad and variation index before the player
 * takes the audio (the thumbnails and test hashes read it there).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DrumEngine, type EngineChange } from '../../src/engine/engine.js';
import { GeneratorClient, type WorkerLike } from '../../src/engine/generator-client.js';
import { parseKit } from '../../src/engine/kit.js';
import type { ModelInfo, SynthRequest, WorkerEvent, WorkerRequest } from '../../src/engine/protocol.js';

const KIT = parseKit(JSON.parse(readFileSync('presets/default-kit.json', 'utf8')));
const MODEL: ModelInfo = {
  kind: 'drums', classes: ['kick', 'snare', 'clap', 'rim', 'closed-hat', 'open-hat', 'tom', 'crash', 'ride', 'perc'],
  sampleRate: 44100, length: 64, nMels: 16, nFrames: 8, params: 1000, defaultSteps: 10, defaultGuidance: 3,
};

class Worker implements WorkerLike {
  jobs: { id: number; request: SynthRequest }[] = [];
  cancelled: number[] = [];
  private cb: ((e: MessageEvent<WorkerEvent>) => void) | null = null;
  postMessage(msg: WorkerRequest): void {
    if (msg.type === 'init') queueMicrotask(() => this.emit({ type: 'ready', backend: 'cpu', model: MODEL, loadMs: 1, warmUpMs: 1 }));
    if (msg.type === 'generate') this.jobs.push(...msg.jobs);
    if (msg.type === 'cancel') {
      this.cancelled.push(...msg.ids);
      this.jobs = this.jobs.filter((j) => !msg.ids.includes(j.id));
    }
  }
  addEventListener(type: string, cb: (e: never) => void): void {
    if (type === 'message') this.cb = cb as (e: MessageEvent<WorkerEvent>) => void;
  }
  terminate(): void {}
  emit(ev: WorkerEvent): void {
    this.cb?.({ data: ev } as MessageEvent<WorkerEvent>);
  }
  /** Answer every job with audio whose first sample is its id. */
  flush(): void {
    const jobs = this.jobs.splice(0);
    for (const j of jobs) {
      const audio = new Float32Array(64).fill(0.25);
      audio[0] = j.id;
      this.emit({ type: 'result', id: j.id, audio, sampleRate: 44100, backend: 'cpu', ms: 1, batchMs: 1, batchSize: 1 });
    }
  }
}

class Player {
  uploads: { id: number; first: number }[] = [];
  upload(id: number, data: Float32Array): void {
    this.uploads.push({ id, first: data[0]! });
    data.fill(0); // what a transfer would do to the sender's copy: nothing left to read
  }
  free(): void {}
  trigger(): void {}
  setPad(): void {}
  setChoke(): void {}
}

const tick = () => new Promise((r) => setTimeout(r, 0));

async function started(variations = 1) {
  const worker = new Worker();
  const player = new Player();
  const engine = new DrumEngine({ kit: KIT, client: new GeneratorClient(worker), player, variations });
  await engine.start({ modelUrl: '/models/x' });
  await tick();
  return { worker, player, engine };
}

describe('engine hooks for the panel', () => {
  it('remembers the model folder it started with', async () => {
    const { engine } = await started();
    expect(engine.modelUrl).toBe('/models/x');
  });

  it('announces each delivered one-shot (pad, variation index, audio) before the player takes it', async () => {
    const { worker, player, engine } = await started(2);
    const seen: Extract<EngineChange, { type: 'sample' }>[] = [];
    engine.onChange((c) => {
      if (c.type === 'sample') seen.push({ ...c, audio: c.audio.slice() });
    });
    // Two rounds: every pad's seed sound first, then the variations.
    const sent = worker.jobs.map((j) => j.id);
    worker.flush();
    await tick();
    sent.push(...worker.jobs.map((j) => j.id));
    worker.flush();
    await tick();
    expect(seen.length).toBe(sent.length);
    expect(seen.map((s) => s.audio[0])).toEqual(sent); // read before the player zeroed it
    expect(player.uploads.map((u) => u.first)).toEqual(sent);
    // Pad 0's first one-shot is its seed sound (index 0), the next its first variation.
    expect(seen.filter((s) => s.pad === 0).map((s) => s.index)).toEqual([0, 1]);
    expect(seen.every((s) => s.sampleRate === 44100)).toBe(true);
  });

  it('descriptor targets per pad class reach the requests; stale jobs are cancelled; null takes them away', async () => {
    const { worker, engine } = await started();
    const first = worker.jobs.map((j) => j.id);
    expect(worker.jobs.every((j) => j.request.descriptors === undefined)).toBe(true);
    const target = (cls: string) => ({ brightness: cls === 'kick' ? 7 : 11, decay: -2, punch: 0.8, noisiness: 0.01 });
    engine.setDescriptors((_pad, cls) => target(cls));
    await tick();
    expect(worker.cancelled).toEqual(expect.arrayContaining(first));
    const kick = worker.jobs.find((j) => j.request.class === 'kick')!;
    const snare = worker.jobs.find((j) => j.request.class === 'snare')!;
    expect(kick.request.descriptors).toEqual(target('kick'));
    expect(snare.request.descriptors).toEqual(target('snare'));
    worker.flush();
    await tick();
    // The same targets again: nothing regenerates.
    engine.setDescriptors((_pad, cls) => target(cls));
    await tick();
    expect(worker.jobs).toHaveLength(0);
    engine.setDescriptors(null);
    await tick();
    expect(worker.jobs.length).toBeGreaterThan(0);
    expect(worker.jobs.every((j) => j.request.descriptors === undefined)).toBe(true);
  });
});
