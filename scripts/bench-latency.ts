/**
 * npm run bench:latency -- [--count 50] [--seed 1] [--threshold 0.001] [--out reports/bench-latency.md]
 *
 * Note-on → first output sample, in one run in headless Chromium (Debian's,
 * the same engine for all), for this project's player (AudioPlayer + the
 * player worklet, trigger at time = now), Tone.js's Sampler with its default
 * lookAhead and with lookAhead = 0, and smplr's Sampler, all playing the same
 * 10 ms click from a pre-decoded buffer (no network). The page
 * (test/browser/pages/latency-page.ts) measures offline (OfflineAudioContext
 * suspended at a known frame: exact scheduling latency) and realtime (a tap
 * worklet in front of the destination; note-ons at random instants). Prints
 * Markdown tables with median / p95 / max in ms and frames and each engine's
 * ratio to this player, and writes them to reports/bench-latency.md.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import type { EngineName, Mode, RunResult } from '../test/browser/pages/latency-page.js';
import { CHROMIUM, ROOT, startHarness } from '../test/browser/harness.js';

const ENGINE_LABELS: Record<EngineName, string> = {
  player: 'this player (AudioPlayer + player.worklet, time = now)',
  tone: 'Tone.js Sampler (default lookAhead 0.1 s)',
  'tone-lookahead-0': 'Tone.js Sampler (lookAhead = 0)',
  smplr: 'smplr Sampler',
};
const ENGINE_ORDER: EngineName[] = ['player', 'tone', 'tone-lookahead-0', 'smplr'];

/** The q-quantile by nearest rank (q in 0–1) of a non-empty list. */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) throw new Error('quantile of an empty list');
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

export interface Summary {
  median: number;
  p95: number;
  max: number;
}

export function summarize(xs: readonly number[]): Summary {
  return { median: quantile(xs, 0.5), p95: quantile(xs, 0.95), max: Math.max(...xs) };
}

const ms = (frames: number, sr: number) => (frames / sr) * 1000;
const f1 = (x: number) => x.toFixed(1);
const f2 = (x: number) => x.toFixed(2);

/** A ratio to the player's figure; the player's own median may be 0 frames (then there is no ratio, only the difference). */
function ratio(x: number, base: number): string {
  if (base === 0) return x === 0 ? '1 (both 0)' : `∞ (player 0; +${f2(x)} ms)`;
  return `${(x / base).toFixed(1)}×`;
}

export function tableFor(mode: Mode, results: readonly RunResult[]): string {
  const base = results.find((r) => r.engine === 'player');
  const baseMed = base && base.frames.length > 0 ? ms(summarize(base.frames).median, base.sampleRate) : 0;
  const rows = [
    '| engine | n (missed) | median ms (frames) | p95 ms (frames) | max ms (frames) | median ÷ player |',
    '|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    if (r.frames.length === 0) {
      rows.push(`| ${ENGINE_LABELS[r.engine]} | 0 (${r.missed}) | – | – | – | – |`);
      continue;
    }
    const s = summarize(r.frames);
    const cell = (f: number) => `${f2(ms(f, r.sampleRate))} (${f})`;
    rows.push(`| ${ENGINE_LABELS[r.engine]} | ${r.frames.length} (${r.missed}) | ${cell(s.median)} | ${cell(s.p95)} | ${cell(s.max)} | ${r.engine === 'player' ? '1' : ratio(ms(s.median, r.sampleRate), baseMed)} |`);
  }
  if (mode === 'realtime' && results.some((r) => r.wallMs.length > 0)) {
    rows.push('', 'Wall clock (note-on → onset frame mapped to performance.now() through getOutputTimestamp(); includes the wait for the next audio callback):', '');
    rows.push('| engine | n | median ms | p95 ms | max ms | median ÷ player |', '|---|---|---|---|---|---|');
    const wb = base && base.wallMs.length > 0 ? summarize(base.wallMs).median : 0;
    for (const r of results) {
      if (r.wallMs.length === 0) continue;
      const s = summarize(r.wallMs);
      rows.push(`| ${ENGINE_LABELS[r.engine]} | ${r.wallMs.length} | ${f1(s.median)} | ${f1(s.p95)} | ${f1(s.max)} | ${r.engine === 'player' ? '1' : ratio(s.median, wb)} |`);
    }
  }
  return rows.join('\n');
}

async function main(): Promise<void> {
  const opts = new Command()
    .option('--count <n>', 'note-ons per engine and mode', '50')
    .option('--seed <n>', 'seed of the note-on times', '1')
    .option('--threshold <x>', 'onset threshold (linear magnitude)', '0.001')
    .option('--sample-rate <hz>', 'context sample rate', '44100')
    .option('--engines <list>', `engines to run, comma-separated (${ENGINE_ORDER.join(', ')})`, ENGINE_ORDER.join(','))
    .option('--modes <list>', 'offline, realtime or both', 'offline,realtime')
    .option('--out <file>', 'Markdown report', path.join(ROOT, 'reports/bench-latency.md'))
    .parse()
    .opts<{ count: string; seed: string; threshold: string; sampleRate: string; engines: string; modes: string; out: string }>();
  const engines = opts.engines.split(',').map((e) => e.trim()) as EngineName[];
  for (const e of engines) if (!ENGINE_ORDER.includes(e)) throw new Error(`--engines: unknown engine "${e}" (expected ${ENGINE_ORDER.join(', ')})`);
  const modes = opts.modes.split(',').map((m) => m.trim()) as Mode[];
  for (const m of modes) if (m !== 'offline' && m !== 'realtime') throw new Error(`--modes: unknown mode "${m}" (expected offline, realtime)`);
  const count = Number(opts.count);
  const seed = Number(opts.seed);
  const threshold = Number(opts.threshold);
  const sampleRate = Number(opts.sampleRate);
  if (!Number.isInteger(count) || count < 1) throw new Error(`--count must be a positive integer, got ${opts.count}`);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got ${opts.seed}`);
  if (!(threshold > 0 && threshold < 0.9)) throw new Error(`--threshold must be in (0, 0.9) (the click's first sample is 0.9), got ${opts.threshold}`);
  if (!(sampleRate >= 8000 && sampleRate <= 192000)) throw new Error(`--sample-rate must be 8000–192000 Hz, got ${opts.sampleRate}`);

  // Autoplay without a gesture: the realtime contexts must run without a click.
  const harness = await startHarness({ entries: ['test/browser/pages/latency.html'], cacheName: 'bench-latency', extraArgs: ['--autoplay-policy=no-user-gesture-required'] });
  const results: Record<Mode, RunResult[]> = { offline: [], realtime: [] };
  let version = '';
  try {
    version = harness.browser.version();
    const { page, tail } = await harness.open('/test/browser/pages/latency.html');
    await page.waitForFunction(() => window.latencyBench?.ready === true, null, { timeout: 180_000 }).catch((e: Error) => {
      throw new Error(`the latency page did not load: ${e.message}\n${tail()}`);
    });
    for (const mode of modes) {
      for (const engine of engines) {
        const r = await page
          .evaluate((o) => window.latencyBench!.run(o), { engine, mode, count, seed, sampleRate, threshold })
          .catch((e: Error) => {
            throw new Error(`${engine} (${mode}) failed: ${e.message.split('\n')[0]}\n${tail()}`);
          });
        results[mode].push(r);
        const s = r.frames.length > 0 ? summarize(r.frames) : null;
        console.error(`${mode} ${engine}: ${r.frames.length} measured, ${r.missed} missed${s ? `, median ${s.median} frames` : ''}`);
      }
    }
  } finally {
    await harness.close();
  }
  const rt = results.realtime.find((r) => r.baseLatency !== null);
  const lines = [
    '# Note-on → first output sample: this player vs Tone.js and smplr',
    '',
    `\`npm run bench:latency\` — ${new Date().toISOString().slice(0, 10)}, ${version ? `Chromium ${version}` : 'Chromium'} (${CHROMIUM}, headless, via playwright-core ${playwrightVersion()}), ${os.cpus()[0]?.model ?? 'CPU'} × ${os.cpus().length}, load average ${os.loadavg()[0]!.toFixed(1)} at the end (the realtime tails grow with load); ${count} note-ons per engine and mode, seed ${seed}, ${sampleRate} Hz, onset threshold ${threshold} (the click's first sample is 0.9).`,
    '',
    'Every engine plays the same one-shot (a 10 ms click at 0.9 on its first sample) from a pre-decoded buffer, at full velocity, with the note-on at "now": `AudioPlayer.trigger(pad, id, 127)` (time = `currentTime`), `Sampler.triggerAttack("C4")` (Tone: time = `now()` = `currentTime + lookAhead`), `Sampler.start({ note: "C4" })` (smplr: time = `currentTime`).',
    '',
    '## Offline: exact scheduling latency',
    '',
    'An OfflineAudioContext is suspended at a render-quantum boundary chosen at random (`suspend(t)`); the note-on is issued while it is suspended, rendering resumes, and the rendered buffer is scanned for the first sample above the threshold. Latency = that frame − the suspend frame. (Offline the player worklet runs on a native context and receives exactly the message AudioPlayer.trigger posts, because standardized-audio-context\'s OfflineAudioContext has no `suspend()`.)',
    '',
    tableFor('offline', results.offline),
    '',
    '## Realtime: a running AudioContext',
    '',
    "`AudioContext({ latencyHint: 'interactive' })`, one per engine, with a pass-through tap worklet in front of the destination that reports each onset's context frame. Note-ons at random wall-clock instants 40–100 ms apart (so at random offsets inside the render quantum and the device callback). Latency in frames = onset frame − `round(currentTime · sr)` read at the note-on (currentTime is the start of the next quantum the audio thread renders).",
    '',
    tableFor('realtime', results.realtime),
    '',
    ...reading(results),
    rt
      ? `The realtime context reported baseLatency ${f2((rt.baseLatency ?? 0) * 1000)} ms and outputLatency ${f2((rt.outputLatency ?? 0) * 1000)} ms (headless Chromium's fake audio output); both add equally to every engine.`
      : '',
    '',
  ];
  const md = lines.join('\n');
  console.log(md);
  await writeFile(opts.out, md);
  console.error(`wrote ${path.relative(process.cwd(), opts.out)}`);
}

/**
 * What the tables say, from the figures: each engine's realtime note-ons that
 * sounded later than its own exact (offline) latency, i.e. that reached the
 * audio thread after the quantum they were meant for had been rendered.
 */
export function reading(results: Record<Mode, RunResult[]>): string[] {
  const out: string[] = ['## Reading', ''];
  for (const r of results.realtime) {
    const off = results.offline.find((o) => o.engine === r.engine);
    if (!off || off.frames.length === 0 || r.frames.length === 0) continue;
    const exact = summarize(off.frames).median;
    const late = r.frames.filter((f) => f > exact);
    const extra = late.length > 0 ? `, by ${Math.min(...late.map((f) => f - exact))}–${Math.max(...late.map((f) => f - exact))} frames` : '';
    out.push(`- ${ENGINE_LABELS[r.engine]}: exact scheduling latency ${exact} frames (${f2(ms(exact, off.sampleRate))} ms); in realtime ${late.length} of ${r.frames.length} note-ons sounded later than that${extra}.`);
  }
  out.push(
    '',
    'Offline, with the note-on issued while the context is suspended, this player, smplr and Tone with lookAhead = 0 all sound on the note-on frame; Tone\'s default schedules every note-on `lookAhead` (0.1 s) ahead by design, for steady sequencing. In realtime the later note-ons are those whose message or graph change reached the audio thread after the quantum at `currentTime` had started rendering: the player\'s trigger travels over the worklet\'s MessagePort, while `AudioBufferSourceNode.start()` is a graph change; how often either misses depends on main-thread load and on how many quanta one device callback renders (baseLatency below).',
    '',
  );
  return out;
}

function playwrightVersion(): string {
  return (JSON.parse(readFileSync(path.join(ROOT, 'node_modules/playwright-core/package.json'), 'utf8')) as { version: string }).version;
}

const invoked = process.argv[1] && path.resolve(process.argv[1]).endsWith(path.join('scripts', 'bench-latency.ts'));
if (invoked) {
  main().catch((e: unknown) => {
    console.error(`bench:latency: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
