/**
 * Export byte builders: a pad's sound as a WAV, the whole kit as a zip of
 * WAVs with a kit.txt and the preset JSON, a loop as a WAV, and Chrome's
 * DownloadURL drag payload. Pure (bytes in, bytes out), so they are tested in
 * Node; the page only wraps the bytes in a Blob.
 *
 * Every WAV is 24-bit PCM at 44.1 kHz: a sound at another rate is resampled.
 */
import { zipSync, type Zippable } from 'fflate';
import { SAMPLE_RATE } from '../constants.js';
import { resample } from '../dsp/resample.js';
import { encodeWav } from '../dsp/wav.js';
import { padSeed } from '../engine/seeds.js';
import { presetToText } from '../presets/migrate.js';
import type { Preset } from '../presets/schema.js';
import type { Hz } from '../units.js';

/** MIME type of every exported WAV. */
export const WAV_MIME = 'audio/wav';

/** Channels at 44.1 kHz (resampled when needed). */
function at44k(channels: readonly Float32Array[], sampleRate: Hz): Float32Array[] {
  if (!(sampleRate > 0)) throw new Error(`export: sample rate must be positive, got ${sampleRate}`);
  return sampleRate === SAMPLE_RATE ? [...channels] : channels.map((c) => resample(c, sampleRate, SAMPLE_RATE));
}

/** A sound (mono or stereo channels) as a 24-bit 44.1 kHz WAV file. */
export function soundWav(channels: readonly Float32Array[], sampleRate: Hz): Uint8Array {
  if (channels.length === 0 || channels[0]!.length === 0) throw new Error('export: the sound is empty');
  return encodeWav(at44k(channels, sampleRate), SAMPLE_RATE, 'pcm24');
}

/** A file-name-safe slug: lower case, a–z 0–9 and dashes. */
export function slug(text: string): string {
  const s = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return s.slice(0, 60) || 'untitled';
}

/** The seed a pad's sound actually comes from (the kit seed applied unless the pad is locked). */
export function effectiveSeed(preset: Preset, pad: number): number {
  const p = preset.pads[pad]!;
  return p.seedLock ? p.seed : padSeed(preset.globals.seed, p.seed);
}

/** File name of a pad's WAV: 01-kick-seed1234.wav (1-based pad number, class, effective seed). */
export function padFileName(preset: Preset, pad: number): string {
  const p = preset.pads[pad];
  if (!p) throw new Error(`export: pad ${pad} does not exist (0–${preset.pads.length - 1})`);
  return `${String(pad + 1).padStart(2, '0')}-${slug(p.class)}-seed${effectiveSeed(preset, pad)}.wav`;
}

/** A pad's sound as it comes from the model: mono samples at their rate. */
export interface PadAudio {
  data: Float32Array;
  sampleRate: Hz;
}

const fmtDb = (v: number) => `${v > 0 ? '+' : ''}${v} dB`;

/** kit.txt: what each file is and how to make it again. */
export function kitText(preset: Preset, files: readonly (string | null)[], modelDefaults?: { guidance: number; steps: number }): string {
  const g = preset.globals;
  const guidance = g.guidance ?? modelDefaults?.guidance;
  const steps = g.steps ?? modelDefaults?.steps;
  const lines = [
    `${preset.name}`,
    ...(preset.description ? [preset.description] : []),
    '',
    `model: ${preset.model}`,
    `guidance: ${guidance ?? 'model default'}${g.guidance === null ? ' (model default)' : ''}`,
    `steps: ${steps ?? 'model default'}${g.steps === null ? ' (model default)' : ''}`,
    `kit seed: ${g.seed}${g.seed === 0 ? ' (pads use their own seeds)' : ''}`,
    `variation: ${Math.round(g.variation * 100)} % (the files are each pad's seed sound, variation 0)`,
    `chokes: ${preset.chokeEnabled ? 'on' : 'off'}`,
    `format: 24-bit PCM WAV, 44.1 kHz, the raw one-shot (pad gain, tune, pan and decay are settings, listed below)`,
    '',
    'pad  note  class       seed        gain     tune   pan    decay   choke  file',
  ];
  preset.pads.forEach((p, i) => {
    const choke = [p.chokeGroup ? `g${p.chokeGroup}` : '', p.chokes.length ? `cuts ${p.chokes.join('+')}` : ''].filter(Boolean).join(' ') || '-';
    lines.push(
      [
        String(i + 1).padStart(3),
        String(p.note).padStart(5),
        ` ${p.class.padEnd(11)}`,
        `${effectiveSeed(preset, i)}${p.seedLock ? '*' : ''}`.padEnd(11),
        fmtDb(p.gainDb).padStart(7),
        `${p.tune > 0 ? '+' : ''}${p.tune} st`.padStart(7),
        `${p.pan}`.padStart(5),
        (p.decay === null ? 'natural' : `${p.decay} s`).padStart(8),
        choke.padStart(7),
        ` ${files[i] ?? '(no sound yet)'}`,
      ].join(' '),
    );
  });
  lines.push('', '* seed locked: the kit seed does not move it.');
  const cmd = (i: number) => {
    const p = preset.pads[i]!;
    return `npm run generate -- --model drums --class ${p.class} --seed ${effectiveSeed(preset, i)}${guidance !== undefined ? ` --guidance ${guidance}` : ''}${steps !== undefined ? ` --steps ${steps}` : ''} --out kit`;
  };
  lines.push('', 'Regenerate a pad headless, e.g.:', `  ${cmd(0)}`, '');
  return lines.join('\n');
}

/**
 * The whole kit as a zip: one WAV per pad that has a sound
 * (01-kick-seed1234.wav …), kit.txt and the preset as JSON. Pads without a
 * sound are listed in kit.txt as such.
 */
export function kitZip(preset: Preset, sounds: readonly (PadAudio | null)[], opts: { modelDefaults?: { guidance: number; steps: number } } = {}): Uint8Array {
  if (sounds.length !== preset.pads.length) throw new Error(`export: ${sounds.length} sounds for ${preset.pads.length} pads`);
  const entries: Zippable = {};
  const names: (string | null)[] = [];
  sounds.forEach((s, i) => {
    if (!s || s.data.length === 0) {
      names.push(null);
      return;
    }
    const name = padFileName(preset, i);
    // WAV PCM barely compresses; store it and spend no time on deflate.
    entries[name] = [soundWav([s.data], s.sampleRate), { level: 0 }];
    names.push(name);
  });
  if (names.every((n) => n === null)) throw new Error('export: no pad has a sound yet; wait for the kit to generate');
  const enc = new TextEncoder();
  entries['kit.txt'] = enc.encode(kitText(preset, names, opts.modelDefaults));
  entries[`${slug(preset.name)}.json`] = enc.encode(presetToText(preset));
  // A fixed timestamp: the same kit gives the same bytes.
  return zipSync(entries, { level: 6, mtime: new Date(2020, 0, 1) });
}

/** Zip file name for a kit. */
export function kitZipName(preset: Preset): string {
  return `${slug(preset.name)}.zip`;
}

/**
 * Chrome's drag-out payload (dataTransfer.setData('DownloadURL', …)):
 * `audio/wav:<file name>:<url>`. The name may not contain ':' (Chrome splits
 * on the first two), so any is replaced.
 */
export function downloadUrlPayload(fileName: string, url: string, mime: string = WAV_MIME): string {
  if (!/^(blob|data|https?):/.test(url)) throw new Error(`export: drag URL must be a blob:, data: or http(s): URL, got "${url.slice(0, 40)}"`);
  const name = fileName.replace(/[:\\/\r\n]/g, '-').trim();
  if (!name) throw new Error('export: drag file name is empty');
  return `${mime}:${name}:${url}`;
}

/** File name of a rendered loop: dark-808-ish-basic-120bpm-4bars.wav. */
export function loopFileName(preset: Preset, patternName: string, tempo: number, bars: number): string {
  return `${slug(preset.name)}-${slug(patternName)}-${Math.round(tempo * 100) / 100}bpm-${bars}bar${bars === 1 ? '' : 's'}.wav`;
}
