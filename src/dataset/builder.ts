import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { DRUM_CLASSES, type DrumClass, GM_FAMILIES, type GmFamily } from '../constants.js';
import { DRUM_REPRESENTATION, type RepresentationConfig, TONAL_REPRESENTATION } from '../dsp/config.js';
import { describe, descriptorVector, type Descriptors } from '../dsp/descriptors.js';
import { audioToFeature } from '../dsp/features.js';
import { decodeWav } from '../dsp/wav.js';
import { applyAugmentation, type Augmentation, drawAugmentation, rng } from './augment.js';
import { decodeAudioFile } from './decode.js';
import { DRUM_CLASS_INDEX, FAMILY_RANGE, gmDrumClass, gmFamily, labelDrum } from './labels.js';
import { type ScoreNote, writeMidiFile } from './midi-file.js';
import { encodeNpy } from './npy.js';
import { contentKey, fnv1a, preprocessOneShot } from './preprocess.js';
import { listSf2Presets } from './sf2.js';

export type Split = 'train' | 'val' | 'test';
export type Kind = 'drums' | 'tonal';

/** One row of the manifest: everything needed to trace and rebuild an item. */
export interface ManifestItem {
  id: string;
  kind: Kind;
  /** Source file (Hydrogen layer) or "sf2:<file>#bank:program:note:velocity". */
  source: string;
  /** Split group: the kit (drums) or the preset (tonal). Splits never cross a group. */
  group: string;
  instrument: string;
  split: Split;
  class?: DrumClass;
  family?: GmFamily;
  program?: number;
  pitch?: number;
  velocity?: number;
  descriptors: Descriptors;
  augmentation: Augmentation | null;
  /** Id of the item an augmented copy was made from. */
  parent?: string;
  /** Shard file stem and row index. */
  shard: string;
  row: number;
}

export interface SkippedFile {
  path: string;
  reason: string;
}

export interface BuildOptions {
  /** Hydrogen drumkits folder (each kit a folder with drumkit.xml). */
  hydrogenDir: string;
  /** FluidR3_GM.sf2 path. */
  sf2Path: string;
  outDir: string;
  /** Augmented copies per training drum one-shot (at least; rare classes get more). */
  augmentCopies: number;
  /** Training items per drum class that class-balanced augmentation aims for. */
  augmentTarget?: number;
  /** Tonal pitch step (semitones) and velocities. */
  tonalStep: number;
  tonalVelocities: number[];
  /** Velocities at which the SF2 drum kits are rendered. */
  drumVelocities: number[];
  /** Build only one kind. */
  only?: Kind;
  /** Progress callback (done, total, label). */
  onProgress?: (done: number, total: number, label: string) => void;
  /** Log line sink. */
  log?: (line: string) => void;
}

export const BUILD_DEFAULTS = {
  hydrogenDir: '/usr/share/hydrogen/data/drumkits',
  sf2Path: '/usr/share/sounds/sf2/FluidR3_GM.sf2',
  outDir: 'data',
  augmentCopies: 3,
  augmentTarget: 700,
  tonalStep: 3,
  tonalVelocities: [64, 112],
  drumVelocities: [60, 120],
} as const;

/**
 * Held-out kits, fixed by name so the split is stable across rebuilds and
 * every class appears in each held-out split (chosen by their instrument
 * lists). Everything else, including all SF2 kits, trains.
 */
export const DRUM_SPLITS: Record<string, Split> = {
  ForzeeStereo: 'test',
  HardElectro1: 'test',
  'Gimme A Hand 1.0': 'val',
  Millo_MultiLayered3: 'val',
  Audiophob: 'val',
};

/** Tonal presets split by program within each family: 6 train, 1 val, 1 test of every 8. */
export function tonalSplit(program: number): Split {
  const k = program % 8;
  return k === 3 ? 'val' : k === 6 ? 'test' : 'train';
}

interface RawJob {
  id: string;
  kind: Kind;
  source: string;
  group: string;
  instrument: string;
  split: Split;
  cls?: DrumClass;
  family?: GmFamily;
  program?: number;
  pitch?: number;
  velocity?: number;
  load: () => Promise<{ channels: Float32Array[]; rate: number }>;
}

interface Processed {
  job: RawJob;
  audio: Float32Array;
  key: string;
}

/** Collect Hydrogen layers as jobs; unreadable kits and unlabelable instruments are reported. */
export function hydrogenJobs(dir: string, skipped: SkippedFile[]): RawJob[] {
  if (!existsSync(dir)) {
    skipped.push({ path: dir, reason: 'hydrogen-drumkits is not installed (apt-get install hydrogen-drumkits)' });
    return [];
  }
  const parser = new XMLParser({ ignoreAttributes: true, isArray: (name) => name === 'instrument' || name === 'layer' });
  const jobs: RawJob[] = [];
  for (const kit of readdirSync(dir).sort()) {
    const xmlPath = join(dir, kit, 'drumkit.xml');
    if (!existsSync(xmlPath)) continue;
    let doc: any;
    try {
      doc = parser.parse(readFileSync(xmlPath, 'utf8'));
    } catch (e) {
      skipped.push({ path: xmlPath, reason: `unparseable drumkit.xml: ${(e as Error).message.split('\n')[0]}` });
      continue;
    }
    const instruments: any[] = doc?.drumkit_info?.instrumentList?.instrument ?? [];
    const seen = new Set<string>();
    for (const ins of instruments) {
      const name = String(ins?.name ?? '').trim();
      const files: string[] = [];
      const walk = (o: any) => {
        if (!o || typeof o !== 'object') return;
        for (const [k, v] of Object.entries(o)) {
          if (k === 'filename' && typeof v === 'string' && v.trim()) files.push(v.trim());
          else if (typeof v === 'object') walk(v);
        }
      };
      walk(ins);
      if (files.length === 0) continue;
      const cls = labelDrum(kit, name);
      for (const f of files) {
        const path = resolve(join(dir, kit), f);
        if (seen.has(path)) continue;
        seen.add(path);
        if (!cls) {
          skipped.push({ path, reason: `unlabelable instrument name "${name}" in kit "${kit}"` });
          continue;
        }
        jobs.push({
          id: `h2:${kit}/${basename(f)}`,
          kind: 'drums',
          source: path,
          group: kit,
          instrument: name,
          split: DRUM_SPLITS[kit] ?? 'train',
          cls,
          load: async () => {
            const d = await decodeAudioFile(new Uint8Array(readFileSync(path)), path);
            return { channels: d.channels, rate: d.sampleRate };
          },
        });
      }
    }
  }
  return jobs;
}

/** True when the fluidsynth CLI is on PATH. */
export function hasFluidsynth(): boolean {
  return spawnSync('fluidsynth', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Render a score with the fluidsynth CLI (no reverb or chorus: the dataset
 * should hold the dry instrument) and return the mono float signal.
 */
function renderScore(sf2: string, notes: ScoreNote[], program: number, bank: number, work: string, tag: string): { x: Float32Array; rate: number } {
  const mid = join(work, `${tag}.mid`);
  const wav = join(work, `${tag}.wav`);
  writeFileSync(mid, writeMidiFile(notes, program, bank));
  execFileSync('fluidsynth', ['-ni', '-R', '0', '-C', '0', '-g', '0.5', '-r', '44100', '-O', 'float', '-T', 'wav', '-F', wav, sf2, mid], {
    stdio: 'ignore',
  });
  const d = decodeWav(new Uint8Array(readFileSync(wav)), wav);
  rmSync(mid, { force: true });
  rmSync(wav, { force: true });
  const x = d.channels.length === 1 ? d.channels[0]! : d.channels[0]!.map((v, i) => 0.5 * (v + d.channels[1]![i]!));
  return { x, rate: d.sampleRate };
}

/** Jobs for the SF2: drum kits on bank 128 (GM key map) and melodic presets on bank 0. */
export function sf2Jobs(opts: BuildOptions, skipped: SkippedFile[], work: string): RawJob[] {
  if (!existsSync(opts.sf2Path)) {
    skipped.push({ path: opts.sf2Path, reason: 'fluid-soundfont-gm is not installed (apt-get install fluid-soundfont-gm)' });
    return [];
  }
  if (!hasFluidsynth()) {
    skipped.push({ path: 'fluidsynth', reason: 'the fluidsynth CLI is not installed (apt-get install fluidsynth)' });
    return [];
  }
  const presets = listSf2Presets(new Uint8Array(readFileSync(opts.sf2Path)), opts.sf2Path);
  const jobs: RawJob[] = [];
  const sf2 = opts.sf2Path;
  if (opts.only !== 'tonal') {
    for (const p of presets.filter((q) => q.bank === 128)) {
      const spacing = 2.0;
      const notes: ScoreNote[] = [];
      const meta: Array<{ note: number; vel: number; cls: DrumClass }> = [];
      for (let note = 35; note <= 81; note++) {
        const cls = gmDrumClass(note);
        if (!cls) continue;
        for (const vel of opts.drumVelocities) {
          const on = meta.length * spacing + 0.1;
          notes.push({ channel: 9, note, velocity: vel, on, off: on + 1.0 });
          meta.push({ note, vel, cls });
        }
      }
      let rendered: { x: Float32Array; rate: number } | null = null;
      let sliced = 0;
      const group = `FluidR3 ${p.name}`;
      const render = () => {
        rendered ??= renderScore(sf2, notes, p.program, 128, work, `drums-${p.program}`);
        return rendered;
      };
      meta.forEach((m, i) => {
        jobs.push({
          id: `sf2:drums/${p.program}/${m.note}/${m.vel}`,
          kind: 'drums',
          source: `sf2:${sf2}#128:${p.program}:${m.note}:${m.vel}`,
          group,
          instrument: `${p.name} note ${m.note}`,
          split: DRUM_SPLITS[group] ?? 'train',
          cls: m.cls,
          velocity: m.vel,
          load: async () => {
            const r = render();
            const s = Math.round((i * spacing + 0.1) * r.rate);
            const x = r.x.slice(s, s + Math.round(1.9 * r.rate));
            if (++sliced === meta.length) rendered = null; // free the render after its last slice, whatever the job order
            return { channels: [x], rate: r.rate };
          },
        });
      });
    }
  }
  if (opts.only !== 'drums') {
    for (const p of presets.filter((q) => q.bank === 0 && q.program < 128).sort((a, b) => a.program - b.program)) {
      const family = gmFamily(p.program);
      const [lo, hi] = FAMILY_RANGE[family];
      const spacing = 2.5;
      const notes: ScoreNote[] = [];
      const meta: Array<{ pitch: number; vel: number }> = [];
      // Offset the grid by program so neighbouring presets cover different notes.
      for (let pitch = lo + (p.program % opts.tonalStep); pitch <= hi; pitch += opts.tonalStep) {
        for (const vel of opts.tonalVelocities) {
          const on = meta.length * spacing + 0.1;
          notes.push({ channel: 0, note: pitch, velocity: vel, on, off: on + 1.0 });
          meta.push({ pitch, vel });
        }
      }
      let rendered: { x: Float32Array; rate: number } | null = null;
      let sliced = 0;
      const render = () => {
        rendered ??= renderScore(sf2, notes, p.program, 0, work, `tonal-${p.program}`);
        return rendered;
      };
      meta.forEach((m, i) => {
        jobs.push({
          id: `sf2:tonal/${p.program}/${m.pitch}/${m.vel}`,
          kind: 'tonal',
          source: `sf2:${sf2}#0:${p.program}:${m.pitch}:${m.vel}`,
          group: `FluidR3 ${p.name}`,
          instrument: p.name,
          split: tonalSplit(p.program),
          family,
          program: p.program,
          pitch: m.pitch,
          velocity: m.vel,
          load: async () => {
            const r = render();
            const s = Math.round((i * spacing + 0.1) * r.rate);
            const x = r.x.slice(s, s + Math.round(2.3 * r.rate));
            if (++sliced === meta.length) rendered = null;
            return { channels: [x], rate: r.rate };
          },
        });
      });
    }
  }
  return jobs;
}

export interface BuildResult {
  items: ManifestItem[];
  skipped: SkippedFile[];
  counts: Record<Kind, Record<Split, Record<string, number>>>;
}

function representationOf(kind: Kind): RepresentationConfig {
  return kind === 'drums' ? DRUM_REPRESENTATION : TONAL_REPRESENTATION;
}

/**
 * Build the dataset: decode, preprocess, label, settle held-out copies, augment,
 * describe and write shards + manifest. One bad file never stops the build.
 * Outputs are written to a temporary folder and renamed into place at the end,
 * so an interrupted build leaves the previous dataset intact.
 */
export async function buildDataset(opts: BuildOptions): Promise<BuildResult> {
  const log = opts.log ?? (() => {});
  const skipped: SkippedFile[] = [];
  const work = mkdtempSync(join(tmpdir(), 'oneshot-dataset-'));
  try {
    const jobs: RawJob[] = [];
    if (opts.only !== 'tonal') jobs.push(...hydrogenJobs(opts.hydrogenDir, skipped));
    jobs.push(...sf2Jobs(opts, skipped, work));
    // Process in a stable order: by kind, then train first so held-out items can be settled against it.
    const order: Record<Split, number> = { train: 0, val: 1, test: 2 };
    jobs.sort((a, b) => a.kind.localeCompare(b.kind) || order[a.split] - order[b.split] || a.id.localeCompare(b.id));

    const processed: Processed[] = [];
    let done = 0;
    for (const job of jobs) {
      opts.onProgress?.(done, jobs.length, job.id);
      done++;
      try {
        const { channels, rate } = await job.load();
        const audio = preprocessOneShot(channels, rate, representationOf(job.kind));
        if (!audio) {
          skipped.push({ path: job.source, reason: 'silent' });
          continue;
        }
        processed.push({ job, audio, key: contentKey(audio) });
      } catch (e) {
        skipped.push({ path: job.source, reason: (e as Error).message.split('\n')[0]! });
      }
    }
    opts.onProgress?.(jobs.length, jobs.length, 'decoded');

    // Settle duplicates: a sound equal (as 16-bit audio) to one already kept is dropped.
    // Train is processed first, so a held-out copy of a training sound never enters val/test.
    const keys = new Map<string, string>();
    const kept: Processed[] = [];
    for (const p of processed) {
      const k = `${p.job.kind}:${p.key}`;
      const first = keys.get(k);
      if (first) {
        skipped.push({ path: p.job.source, reason: `duplicate of ${first}` });
        continue;
      }
      keys.set(k, p.job.id);
      kept.push(p);
    }

    // Describe, featurise, augment, and group into shards.
    type Shard = { features: Float32Array[]; audio: Int16Array[]; items: ManifestItem[] };
    const shards = new Map<string, Shard>();
    const shardOf = (kind: Kind, split: Split) => {
      const name = `${kind}_${split}`;
      let s = shards.get(name);
      if (!s) shards.set(name, (s = { features: [], audio: [], items: [] }));
      return [name, s] as const;
    };
    const toI16 = (x: Float32Array) => Int16Array.from(x, (v) => Math.max(-32768, Math.min(32767, Math.round(v * 32768))));
    // Class-balanced augmentation: rare classes (claps, rims) get more copies so
    // every class reaches about `augmentTarget` training items.
    const originals = new Map<string, number>();
    for (const p of kept) if (p.job.kind === 'drums' && p.job.split === 'train') originals.set(p.job.cls!, (originals.get(p.job.cls!) ?? 0) + 1);
    const copiesFor = (cls: DrumClass) =>
      opts.augmentCopies === 0 ? 0 : Math.min(16, Math.max(opts.augmentCopies, Math.round((opts.augmentTarget ?? 0) / (originals.get(cls) ?? 1)) - 1));
    let n = 0;
    for (const p of kept) {
      opts.onProgress?.(n++, kept.length, `features ${p.job.id}`);
      const cfg = representationOf(p.job.kind);
      const [name, shard] = shardOf(p.job.kind, p.job.split);
      const add = (audio: Float32Array, aug: Augmentation | null, id: string) => {
        const d = describe(audio, cfg.sampleRate, p.job.kind === 'tonal');
        const item: ManifestItem = {
          id,
          kind: p.job.kind,
          source: p.job.source,
          group: p.job.group,
          instrument: p.job.instrument,
          split: p.job.split,
          ...(p.job.cls ? { class: p.job.cls } : {}),
          ...(p.job.family ? { family: p.job.family, program: p.job.program!, pitch: p.job.pitch! } : {}),
          ...(p.job.velocity ? { velocity: p.job.velocity } : {}),
          descriptors: d,
          augmentation: aug,
          ...(aug ? { parent: p.job.id } : {}),
          shard: name,
          row: shard.items.length,
        };
        shard.items.push(item);
        shard.features.push(audioToFeature(audio, cfg));
        // Waveforms of originals only: augmented copies are rebuilt from the manifest.
        if (!aug) shard.audio.push(toI16(audio));
      };
      add(p.audio, null, p.job.id);
      if (p.job.kind === 'drums' && p.job.split === 'train') {
        const rand = rng(fnv1a(p.job.id));
        const copies = copiesFor(p.job.cls!);
        for (let c = 0; c < copies; c++) {
          const aug = drawAugmentation(rand);
          add(applyAugmentation(p.audio, aug, cfg), aug, `${p.job.id}#aug${c}`);
        }
      }
    }

    // Write everything into a staging folder, then swap it in.
    // Resolve first: with a trailing slash ("data/") the stage would land inside outDir and be deleted with it.
    const outDir = resolve(opts.outDir);
    const stage = `${outDir}.partial`;
    rmSync(stage, { recursive: true, force: true });
    mkdirSync(join(stage, 'shards'), { recursive: true });
    mkdirSync(join(stage, 'audio'), { recursive: true });
    const items: ManifestItem[] = [];
    for (const [name, s] of [...shards].sort(([a], [b]) => a.localeCompare(b))) {
      const kind = s.items[0]!.kind;
      const cfg = representationOf(kind);
      const fl = cfg.nMels * cfg.nFrames;
      const feats = new Float32Array(s.features.length * fl);
      s.features.forEach((f, i) => feats.set(f, i * fl));
      writeFileSync(join(stage, 'shards', `${name}.npy`), encodeNpy(feats, [s.features.length, cfg.nMels, cfg.nFrames]));
      const rows = s.items.map((it) => ({
        id: it.id,
        ...(kind === 'drums'
          ? { class: DRUM_CLASS_INDEX[it.class!] }
          : { family: GM_FAMILIES.indexOf(it.family!), program: it.program, pitch: it.pitch, velocity: it.velocity }),
        descriptors: descriptorVector(it.descriptors),
      }));
      writeFileSync(join(stage, 'shards', `${name}.json`), JSON.stringify({ items: rows }));
      const len = s.audio[0]?.length ?? 0;
      const wav = new Int16Array(s.audio.length * len);
      s.audio.forEach((a, i) => wav.set(a, i * len));
      writeFileSync(join(stage, 'audio', `${name}.npy`), encodeNpy(wav, [s.audio.length, len]));
      items.push(...s.items);
    }
    const counts = countItems(items);
    writeFileSync(
      join(stage, 'manifest.json'),
      JSON.stringify({
        version: 1,
        created: new Date().toISOString(),
        sources: ['hydrogen-drumkits', 'fluid-soundfont-gm'],
        representations: { drums: DRUM_REPRESENTATION, tonal: TONAL_REPRESENTATION },
        drumSplits: DRUM_SPLITS,
        counts,
        skipped,
        items,
      }),
    );
    rmSync(outDir, { recursive: true, force: true });
    mkdirSync(dirname(outDir), { recursive: true });
    renameSync(stage, outDir);
    log(`wrote ${items.length} items to ${opts.outDir}`);
    return { items, skipped, counts };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Per kind, split and class (drums) or family (tonal): item counts. */
export function countItems(items: ManifestItem[]): Record<Kind, Record<Split, Record<string, number>>> {
  const out: Record<Kind, Record<Split, Record<string, number>>> = {
    drums: { train: {}, val: {}, test: {} },
    tonal: { train: {}, val: {}, test: {} },
  };
  for (const c of DRUM_CLASSES) for (const s of ['train', 'val', 'test'] as Split[]) out.drums[s][c] = 0;
  for (const f of GM_FAMILIES) for (const s of ['train', 'val', 'test'] as Split[]) out.tonal[s][f] = 0;
  for (const it of items) {
    const label = it.kind === 'drums' ? it.class! : it.family!;
    out[it.kind][it.split][label] = (out[it.kind][it.split][label] ?? 0) + 1;
  }
  return out;
}
