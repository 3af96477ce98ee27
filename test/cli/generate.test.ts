import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildRequests, CliError, main, noteName, outputName, parseArgs, parsePitch } from '../../src/cli/generate.js';
import { decodeWav } from '../../src/dsp/wav.js';
import { randomWeights, tinyConfig, writeModelDir } from '../model/helpers.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const root = mkdtempSync(path.join(tmpdir(), 'cli-test-'));
const drumsDir = path.join(root, 'drums-model');
const tonalDir = path.join(root, 'tonal-model');

beforeAll(() => {
  const d = tinyConfig('drums');
  writeModelDir(drumsDir, d, randomWeights(d, 2), { float16: true });
  const t = tinyConfig('tonal');
  writeModelDir(tonalDir, t, randomWeights(t, 3), { float16: true });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Run main() in-process, capturing stderr/stdout. */
async function run(args: string[]): Promise<{ code: number; err: string; out: string }> {
  let err = '';
  let out = '';
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  try {
    return { code: await main(args), err, out };
  } finally {
    e.mockRestore();
    o.mockRestore();
  }
}
const files = (dir: string) => (existsSync(dir) ? readdirSync(dir).sort() : []);

describe('pitch names and file names (pure)', () => {
  it('parses MIDI numbers and note names (C4 = 60)', () => {
    expect(parsePitch('36')).toBe(36);
    expect(parsePitch('C2')).toBe(36);
    expect(parsePitch('A#3')).toBe(58);
    expect(parsePitch('Bb2')).toBe(46);
    expect(parsePitch('c4')).toBe(60);
    expect(parsePitch('C-1')).toBe(0);
    expect(parsePitch('G9')).toBe(127);
    expect(() => parsePitch('G#9')).toThrow(/MIDI 128, outside 0–127/);
    expect(() => parsePitch('128')).toThrow(/outside/);
    expect(() => parsePitch('H2')).toThrow(CliError);
    expect(() => parsePitch('C')).toThrow(/note name/);
    expect(() => parsePitch('-3')).toThrow(/note name/);
  });
  it('names notes with sharps and files by class, pitch and seed', () => {
    expect(noteName(36)).toBe('C2');
    expect(noteName(58)).toBe('A#3');
    expect(noteName(0)).toBe('C-1');
    expect(outputName('kick', undefined, 42)).toBe('kick-s42.wav');
    expect(outputName('bass', 36, 42)).toBe('bass-C2-s42.wav');
  });
});

describe('argument parsing (pure)', () => {
  const base = ['--model', 'drums', '--class', 'kick', '--out', 'x'];
  it('parses defaults and numbers', () => {
    expect(parseArgs(base)).toEqual({ model: 'drums', class: 'kick', seed: 0, count: 1, out: 'x', backend: 'wasm', threads: 2 });
    const o = parseArgs(['--model', 'tonal', '--class', 'bass', '--pitch', 'C2', '--seed', '42', '--count', '3', '--guidance', '2.5', '--steps', '12', '--velocity', '90', '--out', 'y']);
    expect(o).toMatchObject({ pitch: 36, seed: 42, count: 3, guidance: 2.5, steps: 12, velocity: 90 });
  });
  it.each([
    [['--model', 'bass', '--class', 'kick', '--out', 'x'], /--model <name>' argument 'bass' is invalid/],
    [['--model', 'drums', '--out', 'x'], /--class or --prompt is required/],
    [['--class', 'kick', '--out', 'x'], /--model: not given/],
    [['--model', 'drums', '--class', 'kick'], /required option '--out <dir>' not specified/],
    [[...base, '--seed', '1.5'], /--seed <n>' argument '1.5' is invalid/],
    [[...base, '--seed', '4294967295', '--count', '2'], /runs past the largest seed/],
    [[...base, '--count', 'many'], /--count <n>' argument 'many' is invalid/],
    [[...base, '--guidance', '-1'], /--guidance <g>' argument '-1' is invalid/],
    [[...base, '--steps', '0'], /--steps <s>' argument '0' is invalid/],
    [[...base, '--pitch', 'C2'], /--pitch: the drums model has no pitch/],
    [[...base, '--velocity', '100'], /--velocity: the drums model has no velocity/],
    [[...base, '--frobnicate'], /unknown option '--frobnicate'/],
    [[...base, 'extra'], /too many arguments|excess/],
  ])('rejects %j', (args, re) => {
    expect(() => parseArgs(args)).toThrow(re);
  });
  it('checks class and pitch against the model config', () => {
    const opts = parseArgs(['--model', 'tonal', '--class', 'bass', '--count', '2', '--seed', '7', '--out', 'x'])!;
    expect(buildRequests(opts, tinyConfig('tonal'))).toEqual([
      { family: 'bass', pitch: 60, velocity: 100, seed: 7 },
      { family: 'bass', pitch: 60, velocity: 100, seed: 8 },
    ]);
    expect(() => buildRequests({ ...opts, class: 'kazoo' }, tinyConfig('tonal'))).toThrow(/^--class: unknown family "kazoo" \(one of piano, /);
  });
});

describe('generate CLI: errors exit 1 with one line and leave no files', () => {
  const out = path.join(root, 'out-errors');
  it.each([
    ['unknown class', ['--model', 'drums', '--model-dir', drumsDir, '--class', 'cowbell'], /^generate: error: --class: unknown class "cowbell"/],
    ['pitch out of range', ['--model', 'tonal', '--model-dir', tonalDir, '--class', 'bass', '--pitch', 'C11'], /outside 0–127/],
    ['unparseable pitch', ['--model', 'tonal', '--model-dir', tonalDir, '--class', 'bass', '--pitch', 'low'], /neither a MIDI note number nor a note name/],
    ['bad number', ['--model', 'drums', '--model-dir', drumsDir, '--class', 'kick', '--steps', 'ten'], /--steps <s>' argument 'ten' is invalid/],
    ['model kind mismatch', ['--model', 'tonal', '--model-dir', drumsDir, '--class', 'bass'], /is a drums model/],
    ['missing model', ['--model', 'drums', '--model-dir', path.join(root, 'nope'), '--class', 'kick'], /--model-dir: no model at/],
  ])('%s', async (_name, args, re) => {
    const r = await run([...args, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(re);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(files(out)).toEqual([]);
  });

  it('unwritable output folder', async () => {
    const blocker = path.join(root, 'a-file');
    writeFileSync(blocker, 'x');
    const r = await run(['--model', 'drums', '--model-dir', drumsDir, '--class', 'kick', '--out', path.join(blocker, 'sub')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^generate: error: --out: cannot write to .*a-file\/sub \(ENOTDIR\)\n$/);
  });

  it('an output name taken by a folder fails before generating, writing nothing', async () => {
    const dir = path.join(root, 'out-taken');
    mkdirSync(path.join(dir, 'kick-s1.wav'), { recursive: true });
    const r = await run(['--model', 'drums', '--model-dir', drumsDir, '--class', 'kick', '--seed', '0', '--count', '2', '--out', dir, '--backend', 'cpu']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/kick-s1\.wav exists and is not a file/);
    expect(files(dir)).toEqual(['kick-s1.wav']);
  });
});

describe('generate CLI end to end (subprocess, wasm backend)', () => {
  it('writes 24-bit 44.1 kHz WAVs named by class and seed, nothing else', () => {
    const out = path.join(root, 'out-ok');
    const r = spawnSync(
      path.join(repo, 'node_modules/.bin/tsx'),
      ['src/cli/generate.ts', '--model', 'drums', '--model-dir', drumsDir, '--class', 'snare', '--seed', '5', '--count', '2', '--steps', '3', '--out', out],
      { cwd: repo, encoding: 'utf8', timeout: 120_000 },
    );
    expect(r.stderr).toMatch(/generate: 2 one-shot\(s\), drums model, (wasm|cpu)/);
    expect(r.status).toBe(0);
    expect(files(out)).toEqual(['snare-s5.wav', 'snare-s6.wav']);
    const wav = decodeWav(new Uint8Array(readFileSync(path.join(out, 'snare-s5.wav'))));
    expect(wav.sampleRate).toBe(44100);
    expect(wav.format).toBe('pcm24');
    expect(wav.channels).toHaveLength(1);
    expect(wav.channels[0]!.length).toBe((16 - 1) * 512);
  });

  it('exits non-zero on a bad argument without creating the output folder', () => {
    const out = path.join(root, 'out-bad');
    const r = spawnSync(
      path.join(repo, 'node_modules/.bin/tsx'),
      ['src/cli/generate.ts', '--model', 'drums', '--model-dir', drumsDir, '--class', 'kick', '--count', '-2', '--out', out],
      { cwd: repo, encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^generate: error: option '--count <n>' argument '-2' is invalid/)]);
    expect(existsSync(out)).toBe(false);
  });
});
