import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeAiff, decodeAudioFile, freeDecoders } from '../../src/dataset/decode.js';
import { type ScoreNote, writeMidiFile } from '../../src/dataset/midi-file.js';
import { decodeNpy, encodeNpy } from '../../src/dataset/npy.js';
import { listSf2Presets } from '../../src/dataset/sf2.js';
import { encodeWav } from '../../src/dsp/wav.js';

const tmp = mkdtempSync(join(tmpdir(), 'formats-test-'));
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
  freeDecoders();
});
const PY = '/usr/bin/python3';
const hasNumpy = existsSync(PY) && spawnSync(PY, ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;

/** Minimal SMF parser: header fields and the track's events with absolute ticks. */
function parseSmf(b: Uint8Array) {
  const tag = (o: number) => String.fromCharCode(b[o]!, b[o + 1]!, b[o + 2]!, b[o + 3]!);
  const u32 = (o: number) => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
  const u16 = (o: number) => (b[o]! << 8) | b[o + 1]!;
  expect(tag(0)).toBe('MThd');
  const header = { length: u32(4), format: u16(8), tracks: u16(10), division: u16(12) };
  expect(tag(14)).toBe('MTrk');
  const len = u32(18);
  const end = 22 + len;
  expect(end).toBe(b.length);
  const events: Array<{ tick: number; status: number; data: number[] }> = [];
  let o = 22;
  let tick = 0;
  while (o < end) {
    let d = 0;
    for (;;) {
      const c = b[o++]!;
      d = (d << 7) | (c & 0x7f);
      if (!(c & 0x80)) break;
    }
    tick += d;
    const st = b[o++]!;
    if (st === 0xff) {
      const type = b[o++]!;
      const l = b[o++]!;
      events.push({ tick, status: st, data: [type, ...b.subarray(o, o + l)] });
      o += l;
    } else {
      const n = (st & 0xf0) === 0xc0 ? 1 : 2;
      events.push({ tick, status: st, data: [...b.subarray(o, o + n)] });
      o += n;
    }
  }
  return { header, events };
}

describe('midi-file', () => {
  it('writes a parseable format-0 SMF: tempo, bank, program, notes at 960 ticks/s', () => {
    const notes: ScoreNote[] = [
      { channel: 9, note: 36, velocity: 100, on: 0.1, off: 1.1 },
      { channel: 9, note: 38, velocity: 60, on: 1.1, off: 2.1 }, // note-on at the same tick as the previous note-off
      { channel: 9, note: 42, velocity: 127, on: 200, off: 201 }, // a long delta (multi-byte varlen)
    ];
    const smf = writeMidiFile(notes, 25, 128);
    const { header, events } = parseSmf(smf);
    expect(header).toEqual({ length: 6, format: 0, tracks: 1, division: 480 });
    expect(events[0]).toEqual({ tick: 0, status: 0xff, data: [0x51, 0x07, 0xa1, 0x20] }); // 500 000 µs / quarter
    expect(events).toContainEqual({ tick: 0, status: 0xb9, data: [0, 0] }); // bank 128 & 0x7f
    expect(events).toContainEqual({ tick: 0, status: 0xc9, data: [25] });
    const ons = events.filter((e) => e.status === 0x99);
    const offs = events.filter((e) => e.status === 0x89);
    expect(ons.map((e) => [e.tick, ...e.data])).toEqual([
      [96, 36, 100],
      [1056, 38, 60],
      [192000, 42, 127],
    ]);
    expect(offs.map((e) => [e.tick, e.data[0]])).toEqual([
      [1056, 36],
      [2016, 38],
      [192960, 42],
    ]);
    // At tick 1056 the note-off comes before the note-on.
    const at = events.filter((e) => e.tick === 1056).map((e) => e.status);
    expect(at).toEqual([0x89, 0x99]);
    expect(events.at(-1)).toEqual({ tick: 192960, status: 0xff, data: [0x2f] });
  });
});

/** A tiny SoundFont: RIFF sfbk { LIST INFO {ifil}, LIST sdta {}, LIST pdta { phdr, pbag } }. */
function makeSf2(presets: Array<{ name: string; program: number; bank: number }>): Uint8Array {
  const chunk = (id: string, body: Uint8Array) => {
    const pad = body.length & 1;
    const out = new Uint8Array(8 + body.length + pad);
    for (let i = 0; i < 4; i++) out[i] = id.charCodeAt(i);
    new DataView(out.buffer).setUint32(4, body.length, true);
    out.set(body, 8);
    return out;
  };
  const list = (type: string, parts: Uint8Array[]) => {
    const body = new Uint8Array(4 + parts.reduce((a, p) => a + p.length, 0));
    for (let i = 0; i < 4; i++) body[i] = type.charCodeAt(i);
    let o = 4;
    for (const p of parts) {
      body.set(p, o);
      o += p.length;
    }
    return chunk('LIST', body);
  };
  const all = [...presets, { name: 'EOP', program: 0, bank: 0 }];
  const phdr = new Uint8Array(38 * all.length);
  const dv = new DataView(phdr.buffer);
  all.forEach((p, i) => {
    for (let j = 0; j < Math.min(20, p.name.length); j++) phdr[i * 38 + j] = p.name.charCodeAt(j);
    dv.setUint16(i * 38 + 20, p.program, true);
    dv.setUint16(i * 38 + 22, p.bank, true);
    dv.setUint16(i * 38 + 24, i, true);
  });
  const info = list('INFO', [chunk('ifil', Uint8Array.from([2, 0, 1, 0])), chunk('INAM', new TextEncoder().encode('Tiny\0\0'))]);
  const sdta = list('sdta', [chunk('smpl', new Uint8Array(3))]); // odd size: exercises pad bytes
  const pdta = list('pdta', [chunk('phdr', phdr), chunk('pbag', new Uint8Array(4 * all.length))]);
  const body = new Uint8Array(4 + info.length + sdta.length + pdta.length);
  body.set([0x73, 0x66, 0x62, 0x6b]); // sfbk
  body.set(info, 4);
  body.set(sdta, 4 + info.length);
  body.set(pdta, 4 + info.length + sdta.length);
  return chunk('RIFF', body);
}

describe('sf2 preset lister', () => {
  it('lists presets from pdta/phdr, dropping the EOP terminator', () => {
    const sf2 = makeSf2([
      { name: 'Yamaha Grand Piano', program: 0, bank: 0 },
      { name: 'Fretless Bass', program: 35, bank: 0 },
      { name: 'Standard', program: 0, bank: 128 },
      { name: 'TwentyCharsExactly!!', program: 127, bank: 8 },
    ]);
    expect(listSf2Presets(sf2, 'tiny.sf2')).toEqual([
      { name: 'Yamaha Grand Piano', program: 0, bank: 0 },
      { name: 'Fretless Bass', program: 35, bank: 0 },
      { name: 'Standard', program: 0, bank: 128 },
      { name: 'TwentyCharsExactly!!', program: 127, bank: 8 },
    ]);
  });

  it('names the file in errors', () => {
    expect(() => listSf2Presets(encodeWav([new Float32Array(4)], 44100), '/x/a.sf2')).toThrow(/^\/x\/a\.sf2: not a SoundFont 2 file/);
    const noPdta = makeSf2([]).slice(0, 12 + 26); // RIFF header + INFO only (truncated)
    new DataView(noPdta.buffer).setUint32(4, noPdta.length - 8, true);
    expect(() => listSf2Presets(noPdta, 'b.sf2')).toThrow(/^b\.sf2: no pdta chunk/);
  });
});

describe('npy', () => {
  it('float32 and int16 round trip with shape; header is 64-byte aligned', () => {
    const f = Float32Array.from({ length: 2 * 3 * 4 }, (_, i) => i * 0.5 - 3);
    const bf = encodeNpy(f, [2, 3, 4]);
    expect((10 + (bf[8]! | (bf[9]! << 8))) % 64).toBe(0);
    const df = decodeNpy(bf);
    expect(df.shape).toEqual([2, 3, 4]);
    expect(df.data).toBeInstanceOf(Float32Array);
    expect(Array.from(df.data)).toEqual(Array.from(f));
    const s = Int16Array.from([-32768, -1, 0, 1, 32767]);
    const ds = decodeNpy(encodeNpy(s, [5]));
    expect(ds.shape).toEqual([5]);
    expect(ds.data).toBeInstanceOf(Int16Array);
    expect(Array.from(ds.data)).toEqual(Array.from(s));
    // A subarray view (non-zero byteOffset) encodes only its own bytes.
    const view = new Int16Array([9, 9, 1, 2, 3]).subarray(2);
    expect(Array.from(decodeNpy(encodeNpy(view, [3])).data)).toEqual([1, 2, 3]);
  });

  it('reads a Node Buffer and a view with a byte offset as the file, not as their backing store', () => {
    const f = Float32Array.from({ length: 40 }, (_, i) => i - 20);
    const file = encodeNpy(f, [40]);
    // readFileSync hands back a Buffer whose .slice is a view into one ArrayBuffer.
    expect(Array.from(decodeNpy(Buffer.from(file)).data)).toEqual(Array.from(f));
    const padded = new Uint8Array(file.length + 12);
    padded.set(file, 12);
    expect(Array.from(decodeNpy(padded.subarray(12)).data)).toEqual(Array.from(f));
  });

  it('rejects a wrong shape and bad files', () => {
    expect(() => encodeNpy(new Float32Array(5), [2, 3])).toThrow(/holds 6 values, got 5/);
    expect(() => decodeNpy(new Uint8Array(20), 'x.npy')).toThrow(/^x\.npy: not a \.npy file/);
  });

  it.skipIf(!hasNumpy)('numpy reads what encodeNpy writes (and we read what numpy writes)', () => {
    const f = Float32Array.from({ length: 6 }, (_, i) => i / 4);
    writeFileSync(join(tmp, 'a.npy'), encodeNpy(f, [2, 3]));
    writeFileSync(join(tmp, 'b.npy'), encodeNpy(Int16Array.from([5, -7, 300]), [3]));
    const py = [
      'import numpy as np, sys',
      `a = np.load(${JSON.stringify(join(tmp, 'a.npy'))}); b = np.load(${JSON.stringify(join(tmp, 'b.npy'))})`,
      'print(a.dtype, a.shape, a.sum(), b.dtype, b.shape, b.tolist())',
      `np.save(${JSON.stringify(join(tmp, 'c.npy'))}, np.arange(12, dtype="<f4").reshape(3, 4) * 2)`,
    ].join('\n');
    const r = spawnSync(PY, ['-c', py], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('float32 (2, 3) 3.75 int16 (3,) [5, -7, 300]');
    const c = decodeNpy(new Uint8Array(readFileSync(join(tmp, 'c.npy'))));
    expect(c.shape).toEqual([3, 4]);
    expect(Array.from(c.data)).toEqual(Array.from({ length: 12 }, (_, i) => i * 2));
  });
});

/** A 16-bit AIFF (or AIFF-C with `comp`) of the given samples at 44.1 kHz. */
function makeAiff(samples: number[], nc = 1, comp?: string): Uint8Array {
  const isC = comp !== undefined;
  const commSize = isC ? 24 : 18;
  const ssndBody = 8 + samples.length * 2;
  const total = 4 + 8 + commSize + 8 + ssndBody;
  const b = new Uint8Array(8 + total);
  const dv = new DataView(b.buffer);
  const put = (o: number, s: string) => {
    for (let i = 0; i < 4; i++) b[o + i] = s.charCodeAt(i);
  };
  put(0, 'FORM');
  dv.setUint32(4, total);
  put(8, isC ? 'AIFC' : 'AIFF');
  put(12, 'COMM');
  dv.setUint32(16, commSize);
  dv.setUint16(20, nc);
  dv.setUint32(22, samples.length / nc);
  dv.setUint16(26, 16);
  // 44100 as 80-bit extended: exponent 16383 + 15, mantissa 44100 << 48.
  dv.setUint16(28, 0x400e);
  dv.setUint32(30, 44100 * 2 ** 16);
  dv.setUint32(34, 0);
  if (isC) put(38, comp);
  const s = 12 + 8 + commSize;
  put(s, 'SSND');
  dv.setUint32(s + 4, ssndBody);
  samples.forEach((v, i) => dv.setInt16(s + 16 + 2 * i, v));
  return b;
}

describe('decode', () => {
  it('AIFF 16-bit big-endian, stereo, 44.1 kHz from the 80-bit rate', () => {
    const d = decodeAiff(makeAiff([16384, -16384, 32767, 0], 2), 'a.aif');
    expect(d.sampleRate).toBe(44100);
    expect(d.channels.length).toBe(2);
    expect(Array.from(d.channels[0]!)).toEqual([0.5, 32767 / 32768]);
    expect(Array.from(d.channels[1]!)).toEqual([-0.5, 0]);
  });

  it('AIFF-C: uncompressed accepted, compressed rejected with the file name', () => {
    expect(decodeAiff(makeAiff([100, 200], 1, 'NONE')).channels[0]!.length).toBe(2);
    expect(() => decodeAiff(makeAiff([100, 200], 1, 'ima4'), 'c.aifc')).toThrow(/^c\.aifc: compressed AIFF-C \(ima4\)/);
  });

  it('decodeAudioFile dispatches by content and names unknown files', async () => {
    const wav = await decodeAudioFile(encodeWav([Float32Array.from([0.5, -0.5])], 48000, 'pcm16'), 'x.flac');
    expect(wav.sampleRate).toBe(48000);
    const aif = await decodeAudioFile(makeAiff([16384]), 'x.wav');
    expect(aif.channels[0]![0]).toBe(0.5);
    await expect(decodeAudioFile(Uint8Array.from([1, 2, 3, 4, 5]), '/k/garbage.wav')).rejects.toThrow(
      /^\/k\/garbage\.wav: unrecognised audio format/,
    );
  });

  it('FLAC through the wasm decoder (fixture encoded with the flac CLI), same samples as its source', async () => {
    const dir = join(import.meta.dirname, '../fixtures/kit');
    const flac = await decodeAudioFile(new Uint8Array(readFileSync(join(dir, 'TinyKit/tom.flac'))), 'tom.flac');
    const src = await decodeAudioFile(new Uint8Array(readFileSync(join(dir, 'tom-source.wav'))), 'tom-source.wav');
    expect(flac.sampleRate).toBe(src.sampleRate);
    expect(flac.channels.length).toBe(src.channels.length);
    // The wasm decoder scales 16-bit PCM by 1/32767 (decodeWav uses 1/32768): same integers, 0.0003 dB apart.
    const a = flac.channels[0]!;
    const b = src.channels[0]!;
    expect(a.length).toBe(b.length);
    let mismatches = 0;
    for (let i = 0; i < a.length; i++) if (Math.round(a[i]! * 32767) !== Math.round(b[i]! * 32768)) mismatches++;
    expect(mismatches).toBe(0);
    await expect(decodeAudioFile(Uint8Array.from([0x66, 0x4c, 0x61, 0x43, 0, 0, 0, 0]), 'bad.flac')).rejects.toThrow(/^bad\.flac: /);
  });
});
