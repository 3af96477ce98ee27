/**
 * npm run bench:roundtrip — how much does the spectral representation lose?
 *
 * Every test-split drum one-shot and a sample of tonal test notes (from
 * data/manifest.json + data/audio/{drums,tonal}_test.npy) goes
 * analysis → spectrogram → inverse (Griffin-Lim) → audio, under several
 * representation/inversion configurations. Per class it reports:
 *   - multi-resolution STFT distance (spectral convergence and log-magnitude L1,
 *     averaged over n_fft 512/1024/2048, hop n_fft/4),
 *   - log-spectral distance (dB; n_fft 2048, hop 512, levels floored at −90 dB
 *     re a full-scale sine, the representation's floor),
 *   - onset error (ms; first crossing of −20 dB re peak of a 1 ms RMS envelope),
 *   - compute (seconds of analysis + inversion per second of audio, one thread).
 * Writes reports/roundtrip.md and reports/roundtrip.png (spectrograms of one
 * example per drum class, plotted by scripts/roundtrip-plot.py with matplotlib).
 *
 * Options: --data <dir> (default data), --tonal <n> tonal notes (default 16, one
 *          per GM family), --configs a,b,… (default: all but `classic`),
 *          --drums-per-class <n> (default all; for quick looks), --no-png,
 *          --out <dir> (default reports), --cache <file> (default
 *          .cache/roundtrip-results.json: per-item results keyed by audio content and
 *          config, so a stopped run resumes and a re-render is cheap), --no-cache.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Command } from 'commander';
import { DRUM_CLASSES, OUTPUT_FADE_SECONDS, OUTPUT_PEAK_DB } from '../src/constants.js';
import { labelDrum } from '../src/dataset/labels.js';
import { decodeNpy, encodeNpy } from '../src/dataset/npy.js';
import { contentKey } from '../src/dataset/preprocess.js';
import { DRUM_REPRESENTATION, type RepresentationConfig, signalLength, TONAL_REPRESENTATION } from '../src/dsp/config.js';
import { fadeOut, normalizePeak, removeDc } from '../src/dsp/envelope.js';
import { audioToFeature, magnitudeScale } from '../src/dsp/features.js';
import { griffinLim } from '../src/dsp/griffinlim.js';
import { magnitude, stft } from '../src/dsp/stft.js';
import { featureToAudio } from '../src/dsp/vocoder.js';

// ---------------------------------------------------------------- configs

interface BenchConfig {
  key: string;
  label: string;
  /** Column title in the figure. */
  short: string;
  /** Mel bands, or 0 for linear STFT magnitude (no mel). */
  nMels: number;
  hop: number;
  iterations: number;
  momentum: number;
  /** Run without --configs. */
  byDefault: boolean;
}

const CONFIGS: BenchConfig[] = [
  { key: 'default', label: '128 mels, hop 512, GL 32 it, momentum 0.99 (default)', short: 'default: 128 mels, hop 512, GL 32', nMels: 128, hop: 512, iterations: 32, momentum: 0.99, byDefault: true },
  { key: 'gl64', label: '128 mels, hop 512, GL 64 it', short: 'gl64: GL 64 it', nMels: 128, hop: 512, iterations: 64, momentum: 0.99, byDefault: true },
  { key: 'classic', label: '128 mels, hop 512, GL 32 it, momentum 0 (classic GL)', short: 'classic: momentum 0', nMels: 128, hop: 512, iterations: 32, momentum: 0, byDefault: false },
  { key: 'mel256', label: '256 mels, hop 512, GL 32 it', short: 'mel256: 256 mels', nMels: 256, hop: 512, iterations: 32, momentum: 0.99, byDefault: true },
  { key: 'hop256', label: '128 mels, hop 256, GL 32 it', short: 'hop256: hop 256', nMels: 128, hop: 256, iterations: 32, momentum: 0.99, byDefault: true },
  { key: 'linear', label: 'linear magnitude (no mel), hop 512, GL 32 it', short: 'linear: no mel', nMels: 0, hop: 512, iterations: 32, momentum: 0.99, byDefault: true },
];

/** The representation a bench config implies, keeping the base one's signal length. */
function variant(base: RepresentationConfig, c: BenchConfig): RepresentationConfig {
  const len = signalLength(base);
  if (len % c.hop !== 0) throw new Error(`hop ${c.hop} does not divide the signal length ${len}`);
  return { ...base, nMels: c.nMels || base.nMels, hop: c.hop, nFrames: len / c.hop + 1 };
}

/** Linear-magnitude round trip through the same dB floor/ceiling as the features. */
function linearRoundTrip(x: Float32Array, cfg: RepresentationConfig, c: BenchConfig): Float32Array {
  const spec = stft(x, cfg.nFft, cfg.hop, cfg.nFrames);
  const mag = magnitude(spec);
  const scale = magnitudeScale(cfg);
  const floorAmp = 10 ** (cfg.floorDb / 20);
  const ceilAmp = 10 ** (cfg.ceilDb / 20);
  for (let i = 0; i < mag.length; i++) {
    const a = mag[i]! * scale;
    mag[i] = a <= floorAmp ? 0 : Math.min(a, ceilAmp) / scale;
  }
  const y = griffinLim(mag, cfg.nFrames, cfg.nFft, cfg.hop, signalLength(cfg), { iterations: c.iterations, momentum: c.momentum });
  removeDc(y);
  fadeOut(y, Math.round(OUTPUT_FADE_SECONDS * cfg.sampleRate));
  normalizePeak(y, OUTPUT_PEAK_DB);
  return y;
}

function roundTrip(x: Float32Array, base: RepresentationConfig, c: BenchConfig): Float32Array {
  const cfg = variant(base, c);
  if (c.nMels === 0) return linearRoundTrip(x, cfg, c);
  return featureToAudio(audioToFeature(x, cfg), cfg, { iterations: c.iterations, momentum: c.momentum });
}

// ---------------------------------------------------------------- metrics

interface Metrics {
  sc: number;
  logMag: number;
  lsd: number;
  onsetMs: number;
  rtf: number;
}
const METRIC_NAMES: Array<[keyof Metrics, string, string]> = [
  ['sc', 'MR-STFT SC', ''],
  ['logMag', 'MR-STFT log-mag L1', ''],
  ['lsd', 'LSD', 'dB'],
  ['onsetMs', 'onset error (median)', 'ms'],
  ['rtf', 'compute', 's/s'],
];

/** Magnitude spectrograms at the metric resolutions (n_fft 512/1024/2048, hop n_fft/4). */
const RES = [512, 1024, 2048] as const;
type Spectra = Array<{ n: number; mag: Float32Array; nBins: number; nFrames: number }>;
function spectra(x: Float32Array): Spectra {
  return RES.map((n) => {
    const s = stft(x, n, n / 4);
    return { n, mag: magnitude(s), nBins: s.nBins, nFrames: s.nFrames };
  });
}

function mrStft(X: Spectra, Y: Spectra): { sc: number; logMag: number } {
  let sc = 0;
  let lm = 0;
  for (let r = 0; r < X.length; r++) {
    const a = X[r]!.mag;
    const b = Y[r]!.mag;
    // Log floor at the representation's −90 dB re a full-scale sine (|X| = n/4): below it
    // nothing survives the features, and int16 dither in the originals would dominate.
    const floor = (X[r]!.n / 4) * 10 ** (-90 / 20);
    let num = 0;
    let den = 0;
    let l1 = 0;
    for (let i = 0; i < a.length; i++) {
      const d = b[i]! - a[i]!;
      num += d * d;
      den += a[i]! * a[i]!;
      l1 += Math.abs(Math.log(Math.max(b[i]!, floor)) - Math.log(Math.max(a[i]!, floor)));
    }
    sc += Math.sqrt(num / Math.max(den, 1e-20));
    lm += l1 / a.length;
  }
  return { sc: sc / X.length, logMag: lm / X.length };
}

/** Log-spectral distance on the n_fft 2048 / hop 512 spectra, levels re a full-scale sine floored at −90 dB. */
function lsd(X: Spectra, Y: Spectra): number {
  const { n, mag: a, nBins: nb, nFrames } = X[2]!;
  const b = Y[2]!.mag;
  const scale = 4 / n;
  const floor = -90;
  let acc = 0;
  for (let f = 0; f < nFrames; f++) {
    let s = 0;
    for (let k = 0; k < nb; k++) {
      const u = Math.max(20 * Math.log10(a[f * nb + k]! * scale + 1e-30), floor);
      const v = Math.max(20 * Math.log10(b[f * nb + k]! * scale + 1e-30), floor);
      s += (u - v) ** 2;
    }
    acc += Math.sqrt(s / nb);
  }
  return acc / nFrames;
}

/** Onset: first sample where a 1 ms RMS envelope reaches −20 dB re its peak. */
function onsetSample(x: Float32Array, sr: number): number {
  const w = Math.round(0.001 * sr);
  const env = new Float32Array(x.length);
  let acc = 0;
  for (let i = 0; i < x.length; i++) {
    acc += x[i]! * x[i]!;
    if (i >= w) acc -= x[i - w]! * x[i - w]!;
    env[i] = Math.sqrt(Math.max(acc, 0) / w);
  }
  let pk = 0;
  for (const v of env) if (v > pk) pk = v;
  const thr = pk * 0.1;
  for (let i = 0; i < env.length; i++) if (env[i]! >= thr) return i;
  return 0;
}

// ---------------------------------------------------------------- data

interface Item {
  id: string;
  label: string; // drum class or "tonal"
  family?: string;
  pitch?: number;
  audio: Float32Array;
}

const relabelled: string[] = [];
function loadSplit(dataDir: string, kind: 'drums' | 'tonal', manifest: any): Item[] {
  const shard = `${kind}_test`;
  const path = join(dataDir, 'audio', `${shard}.npy`);
  if (!existsSync(path)) return [];
  const { data, shape } = decodeNpy(new Uint8Array(readFileSync(path)), path);
  const len = shape[1]!;
  // Waveforms are stored for originals only, in shard-row order (augmented rows have none).
  const rows = (manifest.items as any[]).filter((it) => it.shard === shard).sort((a, b) => a.row - b.row);
  const out: Item[] = [];
  let a = 0;
  for (const it of rows) {
    if (it.augmentation) continue;
    const audio = new Float32Array(len);
    for (let i = 0; i < len; i++) audio[i] = data[a * len + i]! / 32768;
    a++;
    // Hydrogen labels are re-derived with the current labels.ts, so a dataset built
    // before a labelling fix still reports per class correctly (counted in the report).
    let label = kind === 'drums' ? it.class : 'tonal';
    if (kind === 'drums' && String(it.id).startsWith('h2:')) {
      const now = labelDrum(it.group, it.instrument);
      if (now && now !== it.class) {
        relabelled.push(`${it.instrument} (${it.group}): ${it.class} → ${now}`);
        label = now;
      }
    }
    out.push({ id: it.id, label, family: it.family, pitch: it.pitch, audio });
  }
  if (a !== shape[0]) throw new Error(`${path}: ${shape[0]} waveforms but ${a} original items in the manifest`);
  return out;
}

/** Up to `n` tonal notes spread over families and, within a family, over pitch. */
function sampleTonal(items: Item[], n: number): Item[] {
  const byFam = new Map<string, Item[]>();
  for (const it of items) {
    const k = it.family ?? '?';
    if (!byFam.has(k)) byFam.set(k, []);
    byFam.get(k)!.push(it);
  }
  const per = Math.max(1, Math.ceil(n / Math.max(1, byFam.size)));
  const out: Item[] = [];
  for (const [, list] of [...byFam].sort(([a], [b]) => a.localeCompare(b))) {
    list.sort((a, b) => (a.pitch ?? 0) - (b.pitch ?? 0) || a.id.localeCompare(b.id));
    for (let j = 0; j < Math.min(per, list.length); j++) out.push(list[Math.floor(((j + 0.5) * list.length) / Math.min(per, list.length))]!);
  }
  return out.slice(0, n);
}

// ---------------------------------------------------------------- main

const program = new Command()
  .name('bench-roundtrip')
  .option('--data <dir>', 'dataset folder', 'data')
  .option('--tonal <n>', 'tonal test notes to sample (spread over GM families)', '16')
  .option('--drums-per-class <n>', 'at most n drum one-shots per class (default: all)')
  .option('--configs <list>', `comma-separated subset of ${CONFIGS.map((c) => c.key).join(',')}`)
  .option('--out <dir>', 'report folder', 'reports')
  .option('--no-png', 'skip the spectrogram figure')
  .option('--cache <file>', 'per-item results cache (resume / re-render)', '.cache/roundtrip-results.json')
  .option('--no-cache', 'recompute everything, write no cache')
  .parse();
const o = program.opts();
const dataDir = resolve(o.data);
const manifestPath = join(dataDir, 'manifest.json');
if (!existsSync(manifestPath)) {
  console.error(`bench-roundtrip: ${manifestPath} not found; build the dataset first (npm run dataset) or pass --data <dir>`);
  process.exit(2);
}
const configs = o.configs ? CONFIGS.filter((c) => (o.configs as string).split(',').includes(c.key)) : CONFIGS.filter((c) => c.byDefault);
if (configs.length === 0) {
  console.error(`bench-roundtrip: --configs matched nothing (have ${CONFIGS.map((c) => c.key).join(', ')})`);
  process.exit(2);
}
const nTonal = Number(o.tonal);
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
let drums = loadSplit(dataDir, 'drums', manifest);
const drumsAll = drums.length;
if (o.drumsPerClass !== undefined) {
  const per = Number(o.drumsPerClass);
  drums = DRUM_CLASSES.flatMap((c) => drums.filter((d) => d.label === c).slice(0, per));
}
const tonalAll = loadSplit(dataDir, 'tonal', manifest);
const tonal = sampleTonal(tonalAll, nTonal);
console.error(`bench-roundtrip: ${drums.length} drum test one-shots, ${tonal.length} of ${tonalAll.length} tonal test notes, ${configs.length} configs`);

type Row = { item: Item; kind: 'drums' | 'tonal'; m: Record<string, Metrics>; out: Record<string, Float32Array | undefined> };
// Per-item results are cached by audio content + config, so a run that was stopped (or a
// re-render after a rebuild that left the audio unchanged) only computes what is missing.
const CACHE_VERSION = 1;
const cachePath = o.cache === false ? null : resolve(typeof o.cache === 'string' ? o.cache : '.cache/roundtrip-results.json');
let cache: Record<string, Metrics> = {};
if (cachePath && existsSync(cachePath)) {
  try {
    const c = JSON.parse(readFileSync(cachePath, 'utf8'));
    if (c.version === CACHE_VERSION) cache = c.results;
  } catch {
    /* unreadable cache: recompute */
  }
}
const saveCache = () => {
  if (!cachePath) return;
  mkdirSync(dirname(cachePath), { recursive: true });
  writeFileSync(`${cachePath}.tmp`, JSON.stringify({ version: CACHE_VERSION, results: cache }));
  renameSync(`${cachePath}.tmp`, cachePath);
};
const cacheKey = (x: Float32Array, c: BenchConfig) => `${contentKey(x)}|${c.nMels}/${c.hop}/${c.iterations}/${c.momentum}`;

function evaluate(item: Item, kind: 'drums' | 'tonal', c: BenchConfig, X: Spectra): { m: Metrics; y: Float32Array } {
  const base = kind === 'drums' ? DRUM_REPRESENTATION : TONAL_REPRESENTATION;
  const s = performance.now();
  const y = roundTrip(item.audio, base, c);
  const secs = (performance.now() - s) / 1000;
  const Y = spectra(y);
  const { sc, logMag } = mrStft(X, Y);
  const m: Metrics = {
    sc,
    logMag,
    lsd: lsd(X, Y),
    onsetMs: (Math.abs(onsetSample(y, base.sampleRate) - onsetSample(item.audio, base.sampleRate)) / base.sampleRate) * 1000,
    rtf: secs / (item.audio.length / base.sampleRate),
  };
  return { m, y };
}

const rows: Row[] = [];
const t0 = Date.now();
const all: Array<[Item, 'drums' | 'tonal']> = [...drums.map((d) => [d, 'drums'] as [Item, 'drums']), ...tonal.map((t) => [t, 'tonal'] as [Item, 'tonal'])];
let done = 0;
let computed = 0;
for (const [item, kind] of all) {
  const row: Row = { item, kind, m: {}, out: {} };
  let X: Spectra | null = null;
  for (const c of configs) {
    const key = cacheKey(item.audio, c);
    const hit = cache[key];
    if (hit) {
      row.m[c.key] = hit;
      continue;
    }
    X ??= spectra(item.audio);
    const { m, y } = evaluate(item, kind, c, X);
    row.m[c.key] = cache[key] = m;
    computed++;
    if (kind === 'drums') row.out[c.key] = y; // kept for the figure (drums only: small)
  }
  rows.push(row);
  done++;
  if (done % 10 === 0 || done === all.length) {
    saveCache();
    const el = (Date.now() - t0) / 1000;
    console.error(`  ${done}/${all.length}  ${el.toFixed(0)} s elapsed, ~${((el / done) * (all.length - done)).toFixed(0)} s left`);
  }
}
saveCache();
console.error(`bench-roundtrip: ${computed} round trips computed, ${all.length * configs.length - computed} from ${cachePath}`);
const elapsed = (Date.now() - t0) / 1000;

// ---------------------------------------------------------------- aggregate

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const median = (xs: number[]) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const groups: Array<[string, Row[]]> = [];
for (const cls of DRUM_CLASSES) {
  const r = rows.filter((x) => x.kind === 'drums' && x.item.label === cls);
  if (r.length) groups.push([cls, r]);
}
const drumRows = rows.filter((x) => x.kind === 'drums');
const tonalRows = rows.filter((x) => x.kind === 'tonal');
if (drumRows.length) groups.push(['all drums', drumRows]);
if (tonalRows.length) groups.push([`tonal (${tonalRows.length} notes)`, tonalRows]);
// Onset errors are heavy-tailed (one slow-attack pad can move the −20 dB crossing by 100 ms), so they aggregate by median.
const agg = (r: Row[], c: string, k: keyof Metrics) => (k === 'onsetMs' ? median : mean)(r.map((x) => x.m[c]![k]));

const fmt = (v: number, k: keyof Metrics) =>
  Number.isNaN(v) ? '–' : k === 'sc' ? v.toFixed(3) : k === 'logMag' ? v.toFixed(3) : k === 'rtf' ? v.toFixed(3) : v.toFixed(2);

// Winners: lowest mean over drums and over tonal, per metric.
const winners: string[] = [];
for (const [k, name, unit] of METRIC_NAMES) {
  for (const [gname, r] of [['drums', drumRows], ['tonal', tonalRows]] as const) {
    if (!r.length) continue;
    const scored = configs.map((c) => [c.key, agg(r, c.key, k)] as const).sort((a, b) => a[1] - b[1]);
    const [best, v] = scored[0]!;
    const def = configs.find((c) => c.key === 'default') ? agg(r, 'default', k) : NaN;
    winners.push(
      `- **${name}** (${gname}): **${best}** ${fmt(v, k)}${unit ? ' ' + unit : ''}` +
        (best !== 'default' && !Number.isNaN(def) ? ` (default ${fmt(def, k)})` : ''),
    );
  }
}

// Per class: which config wins each metric most often.
const perClassWins: Record<string, Record<string, number>> = {};
for (const c of configs) perClassWins[c.key] = {};
for (const [g, r] of groups) {
  if (g === 'all drums') continue;
  for (const [k] of METRIC_NAMES) {
    const best = configs.map((c) => [c.key, agg(r, c.key, k)] as const).sort((a, b) => a[1] - b[1])[0]![0];
    perClassWins[best]![k] = (perClassWins[best]![k] ?? 0) + 1;
  }
}

// ---------------------------------------------------------------- report

let commit = 'none (no commits yet)';
try {
  commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
} catch {
  /* no commits */
}
const lines: string[] = [];
lines.push('# Representation round trip: analysis → spectrogram → Griffin-Lim → audio');
lines.push('');
lines.push(`- Date: ${new Date().toISOString().slice(0, 19).replace('T', ' ')} UTC · commit: ${commit}`);
lines.push(`- Dataset: \`${dataDir}\` (manifest created ${manifest.created ?? '?'})`);
lines.push(
  `- Items: ${drums.length < drumsAll ? "" : "all "}${drumRows.length} drum one-shots of the test split` +
    (drums.length < drumsAll ? ` (capped at ${o.drumsPerClass} per class)` : '') +
    (tonalAll.length
      ? `; ${tonalRows.length} of ${tonalAll.length} tonal test notes (subsampled to keep the run short: up to ${Math.ceil(nTonal / 16)} per GM family, spread over pitch)`
      : '; no tonal shard in this build'),
);
if (relabelled.length) {
  const uniq = [...new Set(relabelled)];
  lines.push(`- ${relabelled.length} drum item(s) carry a class in the manifest that the current labels.ts no longer gives; they are reported under the current class: ${uniq.join('; ')}`);
}
lines.push(
  `- Run time: ${elapsed.toFixed(0)} s on one thread (2 cores shared with a training run), \`npm run bench:roundtrip\`` +
    (computed < all.length * configs.length ? ` — ${all.length * configs.length - computed} of ${all.length * configs.length} round trips reused from the results cache (compute figures are from the run that made them)` : ''),
);
lines.push('');
lines.push('Metrics (lower is better). Original and round trip are both peak-normalised to −1 dBFS with the same 20 ms end fade, so level differences do not count:');
lines.push('- **MR-STFT SC**: spectral convergence ‖|Y|−|X|‖/‖|X|‖, mean over n_fft 512/1024/2048 (hop n_fft/4).');
lines.push('- **MR-STFT log-mag L1**: mean |ln|Y| − ln|X|| (natural log; magnitudes floored at −90 dB re a full-scale sine, the representation floor), same resolutions.');
lines.push('- **LSD**: log-spectral distance, mean over frames of the RMS dB difference per bin (n_fft 2048, hop 512; levels re a full-scale sine, floored at −90 dB).');
lines.push('- **onset error**: |Δ| of the first crossing of −20 dB re peak of a 1 ms RMS envelope (ms).');
lines.push('- **compute**: seconds of analysis + inversion per second of audio (one thread, shared CPU: compare ratios, not absolutes).');
lines.push('');
lines.push('## Configurations');
lines.push('');
for (const c of configs) lines.push(`- \`${c.key}\`: ${c.label}`);
lines.push('');
lines.push('## Summary (mean over items; onset error: median)');
lines.push('');
lines.push(`| config | set | ${METRIC_NAMES.map(([, n, u]) => (u ? `${n} (${u})` : n)).join(' | ')} |`);
lines.push(`|---|---|${METRIC_NAMES.map(() => '---:').join('|')}|`);
for (const c of configs) {
  for (const [gname, r] of [['drums', drumRows], ['tonal', tonalRows]] as const) {
    if (!r.length) continue;
    lines.push(`| ${c.key} | ${gname} | ${METRIC_NAMES.map(([k]) => fmt(agg(r, c.key, k), k)).join(' | ')} |`);
  }
}
lines.push('');
lines.push('## Winners');
lines.push('');
lines.push(...winners);
lines.push('');
lines.push(`Per-class wins: how many of the ${groups.filter(([g]) => g !== 'all drums').length} groups (drum classes${tonalRows.length ? ' + tonal' : ''}) each config wins, per metric:`);
lines.push('');
lines.push(`| config | ${METRIC_NAMES.map(([, n]) => n).join(' | ')} |`);
lines.push(`|---|${METRIC_NAMES.map(() => '---:').join('|')}|`);
for (const c of configs) lines.push(`| ${c.key} | ${METRIC_NAMES.map(([k]) => perClassWins[c.key]![k] ?? 0).join(' | ')} |`);
lines.push('');
const classTable = (k: keyof Metrics, title: string) => {
  lines.push(`## ${title} per class`);
  lines.push('');
  lines.push(`| class | n | ${configs.map((c) => c.key).join(' | ')} |`);
  lines.push(`|---|---:|${configs.map(() => '---:').join('|')}|`);
  for (const [g, r] of groups) {
    const vals = configs.map((c) => agg(r, c.key, k));
    const best = Math.min(...vals);
    lines.push(`| ${g} | ${r.length} | ${vals.map((v) => (v === best ? `**${fmt(v, k)}**` : fmt(v, k))).join(' | ')} |`);
  }
  lines.push('');
};
if (configs.some((c) => c.key === 'default')) {
  lines.push('## Default configuration, per class');
  lines.push('');
  lines.push(`| class | n | ${METRIC_NAMES.map(([, n, u]) => (u ? `${n} (${u})` : n)).join(' | ')} | onset error mean (ms) |`);
  lines.push(`|---|---:|${METRIC_NAMES.map(() => '---:').join('|')}|---:|`);
  for (const [g, r] of groups) {
    lines.push(
      `| ${g} | ${r.length} | ${METRIC_NAMES.map(([k]) => fmt(agg(r, 'default', k), k)).join(' | ')} | ${mean(r.map((x) => x.m.default!.onsetMs)).toFixed(2)} |`,
    );
  }
  lines.push('');
}
classTable('sc', 'MR-STFT spectral convergence');
classTable('logMag', 'MR-STFT log-magnitude L1');
classTable('lsd', 'Log-spectral distance (dB)');
classTable('onsetMs', 'Onset error (median, ms)');

// ---------------------------------------------------------------- figure

mkdirSync(o.out, { recursive: true });
const pngPath = join(o.out, 'roundtrip.png');
if (o.png !== false && drumRows.length) {
  // One example per class: the item with the median default-config SC (a typical case, not the best).
  const key0 = configs[0]!.key;
  const bestKey = configs
    .map((c) => [c.key, agg(drumRows, c.key, 'sc')] as const)
    .sort((a, b) => a[1] - b[1])[0]![0];
  const cols = bestKey === key0 ? [key0] : [key0, bestKey];
  const examples: Row[] = [];
  for (const cls of DRUM_CLASSES) {
    const r = drumRows.filter((x) => x.item.label === cls).sort((a, b) => a.m[key0]!.sc - b.m[key0]!.sc);
    if (r.length) examples.push(r[Math.floor((r.length - 1) / 2)]!);
  }
  // Round trips that came from the cache are recomputed for the figure (10 items).
  for (const e of examples) {
    for (const c of cols) {
      if (!e.out[c]) e.out[c] = evaluate(e.item, 'drums', configs.find((x) => x.key === c)!, spectra(e.item.audio)).y;
    }
  }
  const tmp = mkdtempSync(join(tmpdir(), 'roundtrip-'));
  try {
    const len = examples[0]!.item.audio.length;
    const stack = new Float32Array(examples.length * (1 + cols.length) * len);
    examples.forEach((e, i) => {
      stack.set(e.item.audio, (i * (1 + cols.length)) * len);
      cols.forEach((c, j) => stack.set(e.out[c]!, (i * (1 + cols.length) + 1 + j) * len));
    });
    writeFileSync(join(tmp, 'audio.npy'), encodeNpy(stack, [examples.length, 1 + cols.length, len]));
    writeFileSync(
      join(tmp, 'meta.json'),
      JSON.stringify({
        sampleRate: DRUM_REPRESENTATION.sampleRate,
        columns: ['original', ...cols.map((c) => configs.find((x) => x.key === c)!.short)],
        rows: examples.map((e) => ({ label: e.item.label, id: e.item.id, sc: cols.map((c) => e.m[c]!.sc) })),
      }),
    );
    const py = spawnSync('/usr/bin/python3', [join(import.meta.dirname, 'roundtrip-plot.py'), tmp, pngPath], { encoding: 'utf8' });
    if (py.status !== 0) console.error(`bench-roundtrip: figure not written (python3/matplotlib): ${py.stderr.trim().split('\n').at(-1)}`);
    else {
      lines.push('## Spectrograms');
      lines.push('');
      lines.push(
        `![original vs round trip](roundtrip.png)\n\nOne test one-shot per drum class (the one with the median \`${key0}\` spectral convergence): original, \`${key0}\`` +
          (cols.length > 1 ? `, and \`${bestKey}\` (best mean SC on drums)` : '') +
          '. dB STFT magnitude (n_fft 1024, hop 128), 0 to −90 dB.',
      );
      lines.push('');
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
writeFileSync(join(o.out, 'roundtrip.md'), lines.join('\n'));
console.log(lines.join('\n'));
console.error(`bench-roundtrip: wrote ${join(o.out, 'roundtrip.md')} in ${elapsed.toFixed(0)} s`);
