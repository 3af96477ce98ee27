/**
 * Write a NumPy .npy (format 1.0) of a typed array with a given shape, so the
 * Python trainer reads shards with np.load and no custom parser.
 */
export function encodeNpy(data: Float32Array | Int16Array, shape: number[]): Uint8Array {
  const descr = data instanceof Float32Array ? '<f4' : '<i2';
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new Error(`encodeNpy: shape ${shape.join('×')} holds ${count} values, got ${data.length}`);
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const pre = 10;
  const pad = 64 - ((pre + header.length + 1) % 64);
  header += ' '.repeat(pad % 64) + '\n';
  const out = new Uint8Array(pre + header.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  for (let i = 0; i < header.length; i++) out[pre + i] = header.charCodeAt(i);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), pre + header.length);
  return out;
}

/** Read back a .npy written by encodeNpy (float32 or int16, C order). */
export function decodeNpy(bytes: Uint8Array, name = 'npy'): { data: Float32Array | Int16Array; shape: number[] } {
  if (bytes[0] !== 0x93 || String.fromCharCode(...bytes.subarray(1, 6)) !== 'NUMPY') throw new Error(`${name}: not a .npy file`);
  const hlen = bytes[8]! | (bytes[9]! << 8);
  const header = String.fromCharCode(...bytes.subarray(10, 10 + hlen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const shapeStr = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || shapeStr === undefined) throw new Error(`${name}: malformed .npy header`);
  const shape = shapeStr.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  // A copy with its own ArrayBuffer: Node's Buffer.slice is a view (byteOffset > 0, or a shared
  // pool), and a typed array over `.buffer` from 0 would read the header as data.
  const body = new Uint8Array(bytes.subarray(10 + hlen));
  if (descr === '<f4') return { data: new Float32Array(body.buffer, 0, body.byteLength / 4), shape };
  if (descr === '<i2') return { data: new Int16Array(body.buffer, 0, body.byteLength / 2), shape };
  throw new Error(`${name}: unsupported dtype ${descr}`);
}
