/**
 * Export bytes: WAVs parse back at 24-bit 44.1 kHz with the same samples, the
 * kit zip unzips to the named WAVs, kit.txt and the preset, the drag payload
 * has Chrome's format.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { decodeWav } from '../../src/dsp/wav.js';
import { downloadUrlPayload, kitText, kitZip, loopFileName, padFileName, slug, soundWav } from '../../src/export/export.js';
import { migratePreset, parsePresetText } from '../../src/presets/migrate.js';
import { padSeed } from '../../src/engine/seeds.js';

const PRESET = migratePreset(JSON.parse(readFileSync(path.resolve(__dirname, '../../presets/default-kit.json'), 'utf8')), 'default-kit.json');
const tone = (n: number, f = 0.05, a = 0.7) => Float32Array.from({ length: n }, (_, i) => a * Math.sin(i * f));

describe('WAV', () => {
  it('a mono sound round-trips through 24-bit 44.1 kHz within one 24-bit step', () => {
    const x = tone(5000);
    const bytes = soundWav([x], 44100);
    expect(bytes.length).toBe(44 + 5000 * 3);
    const d = decodeWav(bytes);
    expect(d.sampleRate).toBe(44100);
    expect(d.format).toBe('pcm24');
    expect(d.channels).toHaveLength(1);
    let err = 0;
    for (let i = 0; i < x.length; i++) err = Math.max(err, Math.abs(d.channels[0]![i]! - x[i]!));
    expect(err).toBeLessThanOrEqual(0.5 / 8388608 + 1e-9);
  });

  it('stereo stays stereo; a 48 kHz sound is resampled to 44.1 kHz', () => {
    const st = decodeWav(soundWav([tone(100), tone(100, 0.1)], 44100));
    expect(st.channels).toHaveLength(2);
    expect(st.channels[1]![10]).toBeCloseTo(0.7 * Math.sin(1), 5);
    const r = decodeWav(soundWav([tone(48000, (2 * Math.PI * 440) / 48000)], 48000));
    expect(r.sampleRate).toBe(44100);
    expect(Math.abs(r.channels[0]!.length - 44100)).toBeLessThanOrEqual(1);
    // Still a 440 Hz sine at the new rate.
    expect(r.channels[0]![1000]).toBeCloseTo(0.7 * Math.sin((2 * Math.PI * 440 * 1000) / 44100), 2);
  });

  it('refuses an empty sound', () => {
    expect(() => soundWav([new Float32Array(0)], 44100)).toThrow('export: the sound is empty');
  });
});

describe('names', () => {
  it('pads are named 01-kick-seed1001.wav with the effective seed', () => {
    expect(padFileName(PRESET, 0)).toBe('01-kick-seed1001.wav');
    expect(padFileName(PRESET, 6)).toBe('07-closed-hat-seed1007.wav');
    const moved = { ...PRESET, globals: { ...PRESET.globals, seed: 42 } };
    expect(padFileName(moved, 0)).toBe(`01-kick-seed${padSeed(42, 1001)}.wav`);
    const locked = { ...moved, pads: moved.pads.map((p, i) => (i === 0 ? { ...p, seedLock: true } : p)) };
    expect(padFileName(locked, 0)).toBe('01-kick-seed1001.wav');
    expect(() => padFileName(PRESET, 16)).toThrow('export: pad 16 does not exist (0–15)');
  });
  it('slugs and loop names', () => {
    expect(slug('Dark 808-ish / Déjà vu!')).toBe('dark-808-ish-deja-vu');
    expect(slug('???')).toBe('untitled');
    expect(loopFileName(PRESET, 'Basic beat', 120, 4)).toBe('default-kit-basic-beat-120bpm-4bars.wav');
    expect(loopFileName(PRESET, 'x', 97.5, 1)).toBe('default-kit-x-97.5bpm-1bar.wav');
  });
});

describe('kit zip', () => {
  it('holds a WAV per pad with a sound, kit.txt and the preset JSON; pads without a sound are listed', () => {
    const sounds = PRESET.pads.map((_, i) => (i === 3 ? null : { data: tone(1000 + i, 0.01 * (i + 1)), sampleRate: 44100 }));
    const zip = kitZip(PRESET, sounds, { modelDefaults: { guidance: 3, steps: 10 } });
    const files = unzipSync(zip);
    const names = Object.keys(files).sort();
    expect(names).toHaveLength(15 + 2);
    expect(names).toContain('01-kick-seed1001.wav');
    expect(names).toContain('16-ride-seed1016.wav');
    expect(names.some((n) => n.startsWith('04-'))).toBe(false);
    for (let i = 0; i < 16; i++) {
      if (i === 3) continue;
      const d = decodeWav(files[padFileName(PRESET, i)]!);
      expect(d.format).toBe('pcm24');
      expect(d.sampleRate).toBe(44100);
      expect(d.channels[0]!.length).toBe(1000 + i);
      expect(d.channels[0]![500]).toBeCloseTo(sounds[i]!.data[500]!, 6);
    }
    const txt = new TextDecoder().decode(files['kit.txt']!);
    expect(txt.split('\n')[0]).toBe('Default kit');
    expect(txt).toContain('guidance: 3 (model default)');
    expect(txt).toMatch(/^\s+4\s+39\s+clap\s+1004\s.*\(no sound yet\)$/m);
    expect(txt).toMatch(/^\s+11\s+46\s+open-hat\s+1011\s.*\sg1\s+11-open-hat-seed1011\.wav$/m);
    expect(txt).toContain('npm run generate -- --model drums --class kick --seed 1001 --guidance 3 --steps 10 --out kit');
    const back = parsePresetText(new TextDecoder().decode(files['default-kit.json']!), 'default-kit.json');
    expect(back).toEqual(PRESET);
  });

  it('is the same bytes for the same kit (fixed timestamps), and refuses a kit with no sound at all', () => {
    const sounds = PRESET.pads.map(() => ({ data: tone(300), sampleRate: 44100 }));
    expect(kitZip(PRESET, sounds)).toEqual(kitZip(PRESET, sounds));
    expect(() => kitZip(PRESET, PRESET.pads.map(() => null))).toThrow('export: no pad has a sound yet; wait for the kit to generate');
    expect(() => kitZip(PRESET, [])).toThrow('export: 0 sounds for 16 pads');
  });

  it('kit.txt marks locked seeds and says when the kit seed is off', () => {
    const locked = { ...PRESET, pads: PRESET.pads.map((p, i) => (i === 2 ? { ...p, seedLock: true } : p)) };
    const txt = kitText(locked, PRESET.pads.map(() => null));
    expect(txt).toContain('kit seed: 0 (pads use their own seeds)');
    expect(txt).toMatch(/^\s+3\s+38\s+snare\s+1003\*\s/m);
  });
});

describe('drag-out payload', () => {
  it("is Chrome's mime:name:url, with colons kept out of the name", () => {
    expect(downloadUrlPayload('01-kick-seed1001.wav', 'blob:http://127.0.0.1:5173/0b1c')).toBe('audio/wav:01-kick-seed1001.wav:blob:http://127.0.0.1:5173/0b1c');
    expect(downloadUrlPayload('a:b/c.wav', 'blob:x')).toBe('audio/wav:a-b-c.wav:blob:x');
    expect(() => downloadUrlPayload('x.wav', 'javascript:alert(1)')).toThrow(/^export: drag URL must be a blob:, data: or http\(s\): URL/);
    expect(() => downloadUrlPayload(' ', 'blob:x')).toThrow('export: drag file name is empty');
  });
});
