import { describe, expect, it } from 'vitest';
import { decodeWav, encodeWav, toMono } from '../../src/dsp/wav.js';
import { noise, rng } from './helpers.js';

/** Channels holding exact 16-bit values (k/32768), the full range included. */
function pcm16Channels(nc: number, n: number, seed: number): Float32Array[] {
  const r = rng(seed);
  return Array.from({ length: nc }, (_, c) => {
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = (Math.floor(r() * 65536) - 32768) / 32768;
    x[0] = -1;
    x[1] = 32767 / 32768;
    x[2] = 0;
    x[3] = c === 0 ? 1 / 32768 : -1 / 32768;
    return x;
  });
}

describe('WAV encode/decode', () => {
  for (const nc of [1, 2]) {
    it(`16-bit ${nc === 1 ? 'mono' : 'stereo'} round trip is bit-exact`, () => {
      const ch = pcm16Channels(nc, 1000, nc);
      const bytes = encodeWav(ch, 44100, 'pcm16');
      expect(bytes.length).toBe(44 + 1000 * nc * 2);
      const d = decodeWav(bytes, 'a.wav');
      expect(d.format).toBe('pcm16');
      expect(d.sampleRate).toBe(44100);
      expect(d.channels.length).toBe(nc);
      for (let c = 0; c < nc; c++) expect(Array.from(d.channels[c]!)).toEqual(Array.from(ch[c]!));
      const again = encodeWav(d.channels, d.sampleRate, 'pcm16');
      expect(Buffer.from(again).equals(Buffer.from(bytes))).toBe(true);
    });

    it(`24-bit ${nc === 1 ? 'mono' : 'stereo'} round trip is exact to 24 bits and re-encodes identically`, () => {
      const ch = Array.from({ length: nc }, (_, c) => noise(777, 10 + c, 0.99));
      const bytes = encodeWav(ch, 48000, 'pcm24');
      expect(bytes.length).toBe(44 + 777 * nc * 3);
      const d = decodeWav(bytes, 'b.wav');
      expect(d.format).toBe('pcm24');
      expect(d.sampleRate).toBe(48000);
      for (let c = 0; c < nc; c++) {
        for (let i = 0; i < 777; i++) expect(Math.abs(d.channels[c]![i]! - ch[c]![i]!)).toBeLessThanOrEqual(0.5 / 8388608 + 1e-9);
      }
      expect(Buffer.from(encodeWav(d.channels, 48000, 'pcm24')).equals(Buffer.from(bytes))).toBe(true);
    });

    it(`float32 ${nc === 1 ? 'mono' : 'stereo'} round trip is exact`, () => {
      const ch = Array.from({ length: nc }, (_, c) => noise(500, 20 + c, 1.5)); // float may exceed full scale
      const d = decodeWav(encodeWav(ch, 96000, 'float32'), 'c.wav');
      expect(d.format).toBe('float32');
      expect(d.sampleRate).toBe(96000);
      for (let c = 0; c < nc; c++) expect(Array.from(d.channels[c]!)).toEqual(Array.from(ch[c]!));
    });
  }

  it('PCM clips out-of-range and non-finite values', () => {
    const d = decodeWav(encodeWav([Float32Array.from([2, -2, NaN, Infinity])], 44100, 'pcm16'));
    expect(Array.from(d.channels[0]!)).toEqual([32767 / 32768, -1, 0, 0]);
  });

  it('skips unknown chunks, honours odd-size padding and reads WAVE_FORMAT_EXTENSIBLE', () => {
    // RIFF, an odd-sized LIST chunk (padded), then an extensible fmt (PCM subformat), then data.
    const samples = [1000, -2000, 32767];
    const list = [0x4c, 0x49, 0x53, 0x54, 3, 0, 0, 0, 1, 2, 3, 0];
    const fmt = new Uint8Array(8 + 40);
    const fdv = new DataView(fmt.buffer);
    fmt.set([0x66, 0x6d, 0x74, 0x20]);
    fdv.setUint32(4, 40, true);
    fdv.setUint16(8, 0xfffe, true);
    fdv.setUint16(10, 1, true);
    fdv.setUint32(12, 22050, true);
    fdv.setUint32(16, 44100, true);
    fdv.setUint16(20, 2, true);
    fdv.setUint16(22, 16, true);
    fdv.setUint16(24, 22, true);
    fdv.setUint16(26, 16, true);
    fdv.setUint16(32, 1, true); // subformat GUID starts with 0x0001 = PCM
    const data = new Uint8Array(8 + 6);
    const ddv = new DataView(data.buffer);
    data.set([0x64, 0x61, 0x74, 0x61]);
    ddv.setUint32(4, 6, true);
    samples.forEach((s, i) => ddv.setInt16(8 + 2 * i, s, true));
    const body = [...[0x57, 0x41, 0x56, 0x45], ...list, ...fmt, ...data];
    const file = new Uint8Array(8 + body.length);
    file.set([0x52, 0x49, 0x46, 0x46]);
    new DataView(file.buffer).setUint32(4, body.length, true);
    file.set(body, 8);
    const d = decodeWav(file, 'ext.wav');
    expect(d.sampleRate).toBe(22050);
    expect(Array.from(d.channels[0]!)).toEqual(samples.map((s) => s / 32768));
  });

  it('decodes 8-bit unsigned and 32-bit PCM', () => {
    const mk = (bits: number, payload: number[]) => {
      const bytes = encodeWav([new Float32Array(payload.length / (bits / 8))], 8000, 'pcm16');
      // Rewrite the header for the other depth and splice in the payload.
      const out = new Uint8Array(44 + payload.length);
      out.set(bytes.subarray(0, 44));
      const dv = new DataView(out.buffer);
      dv.setUint32(4, 36 + payload.length, true);
      dv.setUint16(32, bits / 8, true);
      dv.setUint16(34, bits, true);
      dv.setUint32(40, payload.length, true);
      out.set(payload, 44);
      return out;
    };
    expect(Array.from(decodeWav(mk(8, [0, 128, 255])).channels[0]!)).toEqual([-1, 0, 127 / 128]);
    const d32 = decodeWav(mk(32, [0, 0, 0, 0x40, 0, 0, 0, 0x80]));
    expect(Array.from(d32.channels[0]!)).toEqual([0.5, -1]);
  });

  describe('malformed input errors name the file', () => {
    const good = encodeWav([noise(100, 1, 0.5)], 44100, 'pcm16');
    const cases: Array<[string, Uint8Array, RegExp]> = [
      ['garbage', Uint8Array.from({ length: 100 }, (_, i) => (i * 37) & 0xff), /not a RIFF\/WAVE file/],
      ['empty', new Uint8Array(0), /not a RIFF\/WAVE file/],
      ['header only', good.subarray(0, 12), /no fmt chunk/],
      ['truncated fmt', good.subarray(0, 30), /truncated fmt chunk/],
      ['no data', good.subarray(0, 36), /no data chunk/],
    ];
    for (const [what, bytes, re] of cases) {
      it(what, () => {
        expect(() => decodeWav(bytes, '/kits/Broken/snare.wav')).toThrow(re);
        expect(() => decodeWav(bytes, '/kits/Broken/snare.wav')).toThrow(/^\/kits\/Broken\/snare\.wav: /);
      });
    }
    it('unsupported format code and bit depth', () => {
      const adpcm = good.slice();
      new DataView(adpcm.buffer).setUint16(20, 2, true);
      expect(() => decodeWav(adpcm, 'x.wav')).toThrow(/^x\.wav: unsupported WAV format code 2/);
      const b12 = good.slice();
      new DataView(b12.buffer).setUint16(34, 12, true);
      expect(() => decodeWav(b12, 'y.wav')).toThrow(/^y\.wav: unsupported PCM bit depth 12/);
      const sr = good.slice();
      new DataView(sr.buffer).setUint32(24, 10, true);
      expect(() => decodeWav(sr, 'z.wav')).toThrow(/^z\.wav: sample rate 10 Hz/);
    });
    it('a data size that overruns the file reads what is there', () => {
      const t = good.slice(0, 44 + 50);
      const d = decodeWav(t, 't.wav');
      expect(d.channels[0]!.length).toBe(25);
    });
  });

  it('toMono averages channels', () => {
    const m = toMono([Float32Array.from([1, 0.5]), Float32Array.from([0, -0.5])]);
    expect(Array.from(m)).toEqual([0.5, 0]);
  });
});
