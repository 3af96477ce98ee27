import type { Hz } from '../units.js';

/** Sample formats the encoder writes. */
export type WavFormat = 'pcm16' | 'pcm24' | 'float32';

export interface DecodedWav {
  sampleRate: Hz;
  /** One Float32Array per channel, in [-1, 1] for PCM. */
  channels: Float32Array[];
  /** Source format, e.g. 'pcm16', 'pcm24', 'pcm32', 'pcm8', 'float32', 'float64'. */
  format: string;
}

/**
 * Encode channels as a RIFF/WAVE file. PCM is rounded (not truncated) and
 * clipped to full scale, so a decode → encode of 16-bit PCM is bit-exact.
 */
export function encodeWav(channels: Float32Array[], sampleRate: Hz, format: WavFormat = 'pcm24'): Uint8Array {
  if (channels.length === 0) throw new Error('encodeWav: no channels');
  const n = channels[0]!.length;
  for (const c of channels) if (c.length !== n) throw new Error('encodeWav: channels differ in length');
  const nc = channels.length;
  const bps = format === 'pcm16' ? 2 : format === 'pcm24' ? 3 : 4;
  const dataBytes = n * nc * bps;
  const buf = new Uint8Array(44 + dataBytes);
  const dv = new DataView(buf.buffer);
  const str = (o: number, s: string) => {
    for (let i = 0; i < s.length; i++) buf[o + i] = s.charCodeAt(i);
  };
  str(0, 'RIFF');
  dv.setUint32(4, 36 + dataBytes, true);
  str(8, 'WAVE');
  str(12, 'fmt ');
  dv.setUint32(16, 16, true);
  dv.setUint16(20, format === 'float32' ? 3 : 1, true);
  dv.setUint16(22, nc, true);
  dv.setUint32(24, sampleRate, true);
  dv.setUint32(28, sampleRate * nc * bps, true);
  dv.setUint16(32, nc * bps, true);
  dv.setUint16(34, bps * 8, true);
  str(36, 'data');
  dv.setUint32(40, dataBytes, true);
  let o = 44;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < nc; c++) {
      const v = channels[c]![i]!;
      if (format === 'float32') {
        dv.setFloat32(o, Number.isFinite(v) ? v : 0, true);
        o += 4;
        continue;
      }
      const x = Number.isFinite(v) ? Math.max(-1, Math.min(1, v)) : 0;
      if (format === 'pcm16') {
        dv.setInt16(o, Math.max(-32768, Math.min(32767, Math.round(x * 32768))), true);
        o += 2;
      } else {
        const s = Math.max(-8388608, Math.min(8388607, Math.round(x * 8388608)));
        buf[o] = s & 0xff;
        buf[o + 1] = (s >> 8) & 0xff;
        buf[o + 2] = (s >> 16) & 0xff;
        o += 3;
      }
    }
  }
  return buf;
}

/**
 * Decode a RIFF/WAVE file: PCM 8/16/24/32-bit and IEEE float 32/64, plain or
 * WAVE_FORMAT_EXTENSIBLE, any channel count. Throws a one-line error naming
 * `name` on anything malformed.
 */
export function decodeWav(bytes: Uint8Array, name = 'WAV'): DecodedWav {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (o: number) => String.fromCharCode(bytes[o]!, bytes[o + 1]!, bytes[o + 2]!, bytes[o + 3]!);
  if (bytes.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new Error(`${name}: not a RIFF/WAVE file`);
  let o = 12;
  let fmt: { code: number; nc: number; sr: number; bits: number } | null = null;
  let data: Uint8Array | null = null;
  while (o + 8 <= bytes.length) {
    const id = tag(o);
    const size = dv.getUint32(o + 4, true);
    const body = o + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > bytes.length) throw new Error(`${name}: truncated fmt chunk`);
      let code = dv.getUint16(body, true);
      if (code === 0xfffe && size >= 40) code = dv.getUint16(body + 24, true);
      fmt = { code, nc: dv.getUint16(body + 2, true), sr: dv.getUint32(body + 4, true), bits: dv.getUint16(body + 14, true) };
    } else if (id === 'data') {
      // Tolerate a data size that overruns the file (common in truncated writes) by reading what is there.
      data = bytes.subarray(body, Math.min(bytes.length, body + size));
    }
    o = body + size + (size & 1);
  }
  if (!fmt) throw new Error(`${name}: no fmt chunk`);
  if (!data) throw new Error(`${name}: no data chunk`);
  const { code, nc, sr, bits } = fmt;
  if (nc < 1) throw new Error(`${name}: channel count is ${nc}`);
  if (sr < 1000 || sr > 768000) throw new Error(`${name}: sample rate ${sr} Hz out of range`);
  const bps = bits / 8;
  const isFloat = code === 3;
  if (!(code === 1 || isFloat)) throw new Error(`${name}: unsupported WAV format code ${code}`);
  if (isFloat ? !(bits === 32 || bits === 64) : !(bits === 8 || bits === 16 || bits === 24 || bits === 32)) {
    throw new Error(`${name}: unsupported ${isFloat ? 'float' : 'PCM'} bit depth ${bits}`);
  }
  const n = Math.floor(data.length / (bps * nc));
  const ddv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const channels = Array.from({ length: nc }, () => new Float32Array(n));
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < nc; c++) {
      const p = (i * nc + c) * bps;
      let v: number;
      if (isFloat) v = bits === 32 ? ddv.getFloat32(p, true) : ddv.getFloat64(p, true);
      else if (bits === 16) v = ddv.getInt16(p, true) / 32768;
      else if (bits === 24) {
        const s = data[p]! | (data[p + 1]! << 8) | (data[p + 2]! << 16);
        v = ((s << 8) >> 8) / 8388608;
      } else if (bits === 32) v = ddv.getInt32(p, true) / 2147483648;
      else v = (data[p]! - 128) / 128;
      channels[c]![i] = v;
    }
  }
  return { sampleRate: sr, channels, format: `${isFloat ? 'float' : 'pcm'}${bits}` };
}

/** Average the channels to mono. */
export function toMono(channels: Float32Array[]): Float32Array {
  if (channels.length === 1) return channels[0]!;
  const n = channels[0]!.length;
  const out = new Float32Array(n);
  for (const c of channels) for (let i = 0; i < n; i++) out[i]! += c[i]!;
  const s = 1 / channels.length;
  for (let i = 0; i < n; i++) out[i]! *= s;
  return out;
}
