/**
 * npm run generate -- --model drums|tonal --class <name> [--pitch C2|36] [--seed N]
 *   [--count N] [--guidance G] [--steps S] [--velocity V] --out <dir>
 *
 * Writes 24-bit 44.1 kHz WAVs named by class, pitch and seed (kick-s42.wav,
 * bass-C2-s42.wav). Everything is validated before any audio is generated,
 * files are written under temporary names and renamed only once all of them
 * exist, so an error leaves no partial files. Errors are one line, exit 1.
 *
 * Thin shell: parsing and naming are pure exports (tested in-process); the
 * tfjs stack is imported only after the arguments check out, so a typo fails fast.
 */
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { validateModelConfig, type ModelConfig, type ModelKind } from '../model/config.js';
import { resolveRequest, type GenerateRequest } from '../model/requests.js';
import { SAMPLERS, type SamplerName } from '../model/sampler.js';
import type { MidiNote } from '../units.js';
import { parsePrompt, PromptError, promptToRequest, type PromptParse } from '../prompt/index.js';

/** Parsed command line. */
export interface CliOptions {
  model: ModelKind;
  /** Drum class or GM family; may be absent when a prompt names one. */
  class?: string;
  /** Parsed --prompt text. */
  prompt?: PromptParse;
  pitch?: MidiNote;
  seed: number;
  count: number;
  guidance?: number;
  steps?: number;
  velocity?: number;
  sampler?: SamplerName;
  out: string;
  /** Overrides models/<model>. */
  modelDir?: string;
  backend: 'wasm' | 'cpu';
  threads: number;
}

/** A user error: printed as one line, exit status 1. */
export class CliError extends Error {}

/** Default velocity of tonal one-shots when --velocity is not given. */
export const DEFAULT_VELOCITY = 100;

const NOTE_INDEX: Record<string, number> = { C: 0, D: 2, E: 4, F: 5, G: 7, A: 9, B: 11 };
const SHARP_NAMES = ['C', 'C#', 'D', 'D#', 'E', 'F', 'F#', 'G', 'G#', 'A', 'A#', 'B'];

/**
 * MIDI note from "36", "C2", "A#3", "Bb2", "C-1" (scientific pitch, C4 = 60).
 * Throws a CliError for anything else or outside 0–127.
 */
export function parsePitch(text: string): MidiNote {
  const s = text.trim();
  let midi: number;
  if (/^\d+$/.test(s)) {
    midi = Number(s);
  } else {
    const m = /^([A-Ga-g])([#b]?)(-?\d+)$/.exec(s);
    if (!m) throw new CliError(`--pitch: "${text}" is neither a MIDI note number nor a note name like C2, A#3, Bb1`);
    const accidental = m[2] === '#' ? 1 : m[2] === 'b' ? -1 : 0;
    midi = (Number(m[3]) + 1) * 12 + NOTE_INDEX[m[1]!.toUpperCase()]! + accidental;
  }
  if (!Number.isInteger(midi) || midi < 0 || midi > 127) throw new CliError(`--pitch: "${text}" is MIDI ${midi}, outside 0–127 (C-1–G9)`);
  return midi;
}

/** Note name with sharps, e.g. 36 → "C2", 58 → "A#3". */
export function noteName(midi: MidiNote): string {
  return `${SHARP_NAMES[midi % 12]}${Math.floor(midi / 12) - 1}`;
}

/** Output file name: kick-s42.wav, bass-C2-s42.wav. */
export function outputName(className: string, pitch: MidiNote | undefined, seed: number): string {
  return `${className}${pitch === undefined ? '' : `-${noteName(pitch)}`}-s${seed}.wav`;
}

const int = (name: string, min: number, max: number) => (v: string): number => {
  if (!/^\d+$/.test(v.trim()) || Number(v) < min || Number(v) > max) throw new InvalidArgumentError(`expected an integer ${min}–${max}, got "${v}"`);
  return Number(v);
};
const num = (min: number, max: number) => (v: string): number => {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw new InvalidArgumentError(`expected a number ${min}–${max}, got "${v}"`);
  return n;
};

function buildCommand(): Command {
  return new Command('generate')
    .description('Generate one-shots with a trained diffusion model and write 24-bit 44.1 kHz WAV files.')
    .addOption(new Option('--model <name>', 'model: drums or tonal (folder models/<name>; with --prompt, inferred from it)').choices(['drums', 'tonal']))
    .option('--class <name>', 'drum class (kick, snare, …) or GM family (bass, piano, …)')
    .option('--prompt <text>', 'a description, e.g. "punchy dark 808 kick with a long tail" or "warm rhodes in A3"')
    .option('--pitch <note>', 'tonal: MIDI note or name, e.g. 36, C2, A#3 (default C4)')
    .option('--velocity <v>', `tonal: MIDI velocity 1–127 (default ${DEFAULT_VELOCITY})`, int('velocity', 1, 127))
    .option('--seed <n>', 'first seed', int('seed', 0, 0xffffffff), 0)
    .option('--count <n>', 'number of one-shots, seeds seed … seed+count−1', int('count', 1, 1000), 1)
    .option('--guidance <g>', 'classifier-free guidance weight (default from the model; 1 = none)', num(0, 20))
    .option('--steps <s>', 'solver steps (default from the model)', int('steps', 1, 1000))
    .addOption(new Option('--sampler <name>', 'solver (default from the model)').choices([...SAMPLERS]))
    .requiredOption('--out <dir>', 'output folder (created if missing)')
    .option('--model-dir <dir>', 'model folder instead of models/<model>')
    .addOption(new Option('--backend <name>', 'tfjs backend').choices(['wasm', 'cpu']).default('wasm'))
    .option('--threads <n>', 'wasm threads', int('threads', 1, 64), 2)
    .exitOverride()
    .configureOutput({ writeErr: () => {}, writeOut: (s) => process.stdout.write(s) })
    .allowExcessArguments(false);
}

/**
 * Parse argv (without node and script). Throws CliError on bad input;
 * returns null when help was printed.
 */
export function parseArgs(argv: readonly string[]): CliOptions | null {
  const cmd = buildCommand();
  try {
    cmd.parse([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.help') return null;
      throw new CliError(e.message.replace(/^error: /, '').split('\n')[0]);
    }
    throw e;
  }
  const o = cmd.opts<Record<string, unknown>>();
  let prompt: PromptParse | undefined;
  if (o['prompt'] !== undefined) {
    try {
      prompt = parsePrompt(o['prompt'] as string);
    } catch (e) {
      if (e instanceof PromptError) throw new CliError(`--prompt: ${e.message}`);
      throw e;
    }
  }
  if (o['class'] === undefined && !prompt) throw new CliError('--class or --prompt is required');
  const model = (o['model'] as ModelKind | undefined) ?? prompt?.kind;
  if (!model) throw new CliError('--model: not given, and the prompt names no instrument to infer it from (say e.g. "kick" or "bass", or pass --model)');
  const opts: CliOptions = {
    model,
    ...(o['class'] !== undefined ? { class: o['class'] as string } : {}),
    ...(prompt ? { prompt } : {}),
    seed: o['seed'] as number,
    count: o['count'] as number,
    out: o['out'] as string,
    backend: o['backend'] as 'wasm' | 'cpu',
    threads: o['threads'] as number,
  };
  if (o['pitch'] !== undefined) opts.pitch = parsePitch(o['pitch'] as string);
  for (const k of ['guidance', 'steps', 'velocity', 'sampler', 'modelDir'] as const) {
    if (o[k] !== undefined) (opts as unknown as Record<string, unknown>)[k] = o[k];
  }
  if (opts.seed + opts.count - 1 > 0xffffffff) throw new CliError(`--seed ${opts.seed} with --count ${opts.count} runs past the largest seed 4294967295`);
  if (opts.model === 'drums' && opts.pitch !== undefined) throw new CliError('--pitch: the drums model has no pitch');
  if (opts.model === 'drums' && opts.velocity !== undefined) throw new CliError('--velocity: the drums model has no velocity');
  return opts;
}

/**
 * The generate requests for parsed options, checked against the model's config
 * (pure). Prompt warnings (dropped words, clamped targets) go to `warn`.
 */
export function buildRequests(opts: CliOptions, config: ModelConfig, warn: (msg: string) => void = () => {}): GenerateRequest[] {
  if (opts.prompt) return buildPromptRequests(opts, opts.prompt, config, warn);
  const base: Omit<GenerateRequest, 'seed'> =
    config.kind === 'drums'
      ? { class: opts.class }
      : { family: opts.class, pitch: opts.pitch ?? 60, velocity: opts.velocity ?? DEFAULT_VELOCITY };
  const shared = {
    ...(opts.guidance !== undefined ? { guidance: opts.guidance } : {}),
    ...(opts.steps !== undefined ? { steps: opts.steps } : {}),
    ...(opts.sampler !== undefined ? { sampler: opts.sampler } : {}),
  };
  const requests = Array.from({ length: opts.count }, (_, i) => ({ ...base, ...shared, seed: opts.seed + i }));
  // Validate (throws one line); strip the "request:" prefix, the CLI has one request shape.
  try {
    resolveRequest(config, requests[0]!);
  } catch (e) {
    const msg = (e as Error).message.replace(/^request: /, '');
    throw new CliError(msg.replace(/^unknown (class|family)/, '--class: unknown $1'));
  }
  return requests;
}

function buildPromptRequests(opts: CliOptions, parse: PromptParse, config: ModelConfig, warn: (msg: string) => void): GenerateRequest[] {
  const requests: GenerateRequest[] = [];
  for (let i = 0; i < opts.count; i++) {
    const r = promptToRequest(parse, config, {
      seed: opts.seed + i,
      ...(opts.class !== undefined ? (config.kind === 'drums' ? { class: opts.class } : { family: opts.class }) : {}),
      ...(opts.pitch !== undefined ? { pitch: opts.pitch } : {}),
      ...(opts.velocity !== undefined ? { velocity: opts.velocity } : {}),
      ...(opts.guidance !== undefined ? { guidance: opts.guidance } : {}),
      ...(opts.steps !== undefined ? { steps: opts.steps } : {}),
      ...(opts.sampler !== undefined ? { sampler: opts.sampler } : {}),
    });
    if (!r.ok) throw new CliError(`--prompt: ${r.error}`);
    if (i === 0) {
      for (const w of [...parse.warnings, ...r.warnings]) warn(`--prompt: ${w}`);
      if (parse.unknown.length > 0) warn(`--prompt: unknown word(s) ignored: ${parse.unknown.join(', ')}`);
      try {
        resolveRequest(config, r.request);
      } catch (e) {
        throw new CliError(`--prompt: ${(e as Error).message.replace(/^request: /, '')}`);
      }
    }
    requests.push(r.request);
  }
  return requests;
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Read and validate config.json without touching tfjs. */
async function readConfig(modelDir: string, model: ModelKind, explicitDir: boolean): Promise<ModelConfig> {
  const file = path.join(modelDir, 'config.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new CliError(
      explicitDir
        ? `--model-dir: no model at ${modelDir} (${file} cannot be read)`
        : `model "${model}" not found: ${display(file)} is missing (train it, or pass --model-dir)`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new CliError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const config = validateModelConfig(raw, file);
  if (config.kind !== model) throw new CliError(`--model ${model}: ${file} is a ${config.kind} model`);
  return config;
}

/**
 * Create the output folder if needed, prove it is writable (probe file), and
 * check no output name is taken by something a rename cannot replace, so the
 * final renames cannot fail halfway.
 */
async function prepareOutDir(dir: string, names: readonly string[]): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    const probe = path.join(dir, `.generate-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
    await writeFile(probe, '');
    await rm(probe, { force: true });
  } catch (e) {
    throw new CliError(`--out: cannot write to ${dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  for (const name of names) {
    const st = await lstat(path.join(dir, name)).catch(() => null);
    if (st && !st.isFile()) throw new CliError(`--out: ${path.join(dir, name)} exists and is not a file`);
  }
}

/** A path for messages: relative to the working folder when inside it. */
function display(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
}

/** Write all files under temporary names, then rename; on any failure remove what was written. */
async function writeAll(dir: string, files: { name: string; bytes: Uint8Array }[]): Promise<string[]> {
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const temps = files.map((f) => path.join(dir, `.${f.name}.${tag}.tmp`));
  const finals = files.map((f) => path.join(dir, f.name));
  try {
    for (let i = 0; i < files.length; i++) await writeFile(temps[i]!, files[i]!.bytes);
    for (let i = 0; i < files.length; i++) await rename(temps[i]!, finals[i]!);
  } catch (e) {
    await Promise.all(temps.map((t) => rm(t, { force: true })));
    throw new CliError(`--out: writing ${dir} failed (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return finals;
}

/** The whole command; returns the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  let shutdown: (() => void) | undefined;
  try {
    const opts = parseArgs(argv);
    if (!opts) return 0;
    const modelDir = opts.modelDir ? path.resolve(opts.modelDir) : path.join(repoRoot, 'models', opts.model);
    const config = await readConfig(modelDir, opts.model, opts.modelDir !== undefined);
    const requests = buildRequests(opts, config, (msg) => process.stderr.write(`generate: ${msg}\n`));
    const names = requests.map((r) => outputName((r.class ?? r.family)!, config.kind === 'tonal' ? r.pitch : undefined, r.seed));
    const outDir = path.resolve(opts.out);
    await prepareOutDir(outDir, names);

    // Arguments are good: now pay for tfjs.
    const [{ initNodeBackend, shutdownNodeBackend }, { Generator }, { nodeReader }, { encodeWav }, { SingleBar, Presets }] = await Promise.all([
      import('../model/backend-node.js'),
      import('../model/generator.js'),
      import('../model/reader-node.js'),
      import('../dsp/wav.js'),
      import('cli-progress'),
    ]);
    shutdown = shutdownNodeBackend;
    const backend = await initNodeBackend(opts.backend, { threads: opts.threads });
    if (backend.note) process.stderr.write(`generate: note: ${backend.note}\n`);
    const gen = await Generator.load(nodeReader(modelDir));
    const bar = new SingleBar({ format: 'generating |{bar}| {value}/{total} {duration_formatted}', stream: process.stderr, hideCursor: true }, Presets.shades_classic);
    let started = false;
    let audio: Float32Array[];
    try {
      audio = await gen.generate(requests, {
        onProgress: (done, total) => {
          if (!started) bar.start(total, 0);
          started = true;
          bar.update(done);
        },
      });
    } finally {
      if (started) bar.stop();
      gen.dispose();
    }
    const sampleRate = config.representation.sampleRate;
    const files = audio.map((a, i) => ({ name: names[i]!, bytes: encodeWav([a], sampleRate, 'pcm24') }));
    const written = await writeAll(outDir, files);
    for (const f of written) process.stdout.write(`${display(f)}\n`);
    process.stderr.write(`generate: ${written.length} one-shot(s), ${config.kind} model, ${backend.name}${backend.name === 'wasm' ? ` (${backend.threads} thread${backend.threads > 1 ? 's' : ''})` : ''}\n`);
    return 0;
  } catch (e) {
    const msg = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    process.stderr.write(`generate: error: ${msg}\n`);
    return 1;
  } finally {
    shutdown?.();
  }
}

// Run when executed directly (tsx src/cli/generate.ts), not when imported by tests.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
