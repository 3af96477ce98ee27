import { FLACDecoder } from '@wasm-audio-decoders/flac';
import { decodeWav, type DecodedWav } from '../dsp/wav.js';

/**
 * Decode an AIFF (big-endian PCM) file. AIFF-C is accepted only with the
 * uncompressed 'NONE'/'twos' encodings. Errors name the file.
 */
export function decodeAiff(bytes: Uint8Array, name = 'AIFF'): DecodedWav {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (o: number) => String.fromCharCode(bytes[o]!, bytes[o + 1]!, bytes[o + 2]!, bytes[o + 3]!);
  if (bytes.length < 12 || tag(0) !== 'FORM' || !['AIFF', 'AIFC'].includes(tag(8))) throw new Error(`${name}: not an AIFF file`);
  let o = 12;
  let comm: { nc: number; frames: number; bits: number; sr: number } | null = null;
  let ssnd: Uint8Array | null = null;
  while (o + 8 <= bytes.length) {
    const id = tag(o);
    const size = dv.getUint32(o + 4, false);
    const body = o + 8;
    if (id === 'COMM') {
      const nc = dv.getUint16(body, false);
      const frames = dv.getUint32(body + 2, false);
      const bits = dv.getUint16(body + 6, false);
      // 80-bit IEEE extended sample rate.
      const exp = dv.getUint16(body + 8, false) & 0x7fff;
      const hi = dv.getUint32(body + 10, false);
      const lo = dv.getUint32(body + 14, false);
      const sr = (hi * 2 ** 32 + lo) * 2 ** (exp - 16383 - 63);
      if (tag(8) === 'AIFC' && size >= 22) {
        const comp = tag(body + 18);
        if (comp !== 'NONE' && comp !== 'twos') throw new Error(`${name}: compressed AIFF-C (${comp}) is not supported`);
      }
      comm = { nc, frames, bits, sr: Math.round(sr) };
    } else if (id === 'SSND') {
      const offset = dv.getUint32(body, false);
      ssnd = bytes.subarray(body + 8 + offset, Math.min(bytes.length, body + size));
    }
    o = body + size + (size & 1);
  }
  if (!comm) throw new Error(`${name}: no COMM chunk`);
  if (!ssnd) throw new Error(`${name}: no SSND chunk`);
  const { nc, bits, sr } = comm;
  const bps = Math.ceil(bits / 8);
  if (![1, 2, 3, 4].includes(bps) || nc < 1) throw new Error(`${name}: unsupported AIFF layout (${bits}-bit, ${nc} ch)`);
  const n = Math.min(comm.frames, Math.floor(ssnd.length / (bps * nc)));
  const sdv = new DataView(ssnd.buffer, ssnd.byteOffset, ssnd.byteLength);
  const channels = Array.from({ length: nc }, () => new Float32Array(n));
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < nc; c++) {
      const p = (i * nc + c) * bps;
      let v: number;
      if (bps === 1) v = sdv.getInt8(p) / 128;
      else if (bps === 2) v = sdv.getInt16(p, false) / 32768;
      else if (bps === 3) v = ((((ssnd[p]! << 16) | (ssnd[p + 1]! << 8) | ssnd[p + 2]!) << 8) >> 8) / 8388608;
      else v = sdv.getInt32(p, false) / 2147483648;
      channels[c]![i] = v;
    }
  }
  return { sampleRate: sr, channels, format: `aiff${bits}` };
}

let flac: FLACDecoder | null = null;

/** Decode a FLAC file through the wasm build of libFLAC (no native install step). */
export async function decodeFlac(bytes: Uint8Array, name = 'FLAC'): Promise<DecodedWav> {
  if (!flac) {
    flac = new FLACDecoder();
    await flac.ready;
  } else {
    await flac.reset();
  }
  const r = await flac.decodeFile(bytes);
  if (r.errors.length > 0 || r.samplesDecoded === 0 || r.channelData.length === 0) {
    const why = r.errors[0]?.message ?? 'no samples decoded';
    throw new Error(`${name}: FLAC decode failed (${why})`);
  }
  return { sampleRate: r.sampleRate, channels: r.channelData, format: `flac${r.bitDepth}` };
}

/** Decode WAV, FLAC or AIFF by content (magic bytes), naming the file on failure. */
export async function decodeAudioFile(bytes: Uint8Array, name: string): Promise<DecodedWav> {
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (magic === 'RIFF') return decodeWav(bytes, name);
  if (magic === 'fLaC') return decodeFlac(bytes, name);
  if (magic === 'FORM') return decodeAiff(bytes, name);
  throw new Error(`${name}: unrecognised audio format (not WAV, FLAC or AIFF)`);
}

/** Release the wasm decoder (so a CLI can exit promptly). */
export function freeDecoders(): void {
  flac?.free();
  flac = null;
}
