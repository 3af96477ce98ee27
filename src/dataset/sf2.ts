/** A preset header of a SoundFont 2 file. */
export interface Sf2Preset {
  name: string;
  program: number;
  bank: number;
}

/**
 * List the presets of an SF2 file from its `pdta/phdr` chunk. Only the
 * preset directory is read; fluidsynth renders the sound.
 */
export function listSf2Presets(bytes: Uint8Array, name = 'SF2'): Sf2Preset[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (o: number) => String.fromCharCode(bytes[o]!, bytes[o + 1]!, bytes[o + 2]!, bytes[o + 3]!);
  if (bytes.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'sfbk') throw new Error(`${name}: not a SoundFont 2 file`);
  const find = (start: number, end: number, id: string, listType?: string): [number, number] | null => {
    let o = start;
    while (o + 8 <= end) {
      const cid = tag(o);
      const size = dv.getUint32(o + 4, true);
      if (cid === id && (!listType || tag(o + 8) === listType)) return [o + 8, size];
      o += 8 + size + (size & 1);
    }
    return null;
  };
  const pdta = find(12, bytes.length, 'LIST', 'pdta');
  if (!pdta) throw new Error(`${name}: no pdta chunk`);
  const phdr = find(pdta[0] + 4, pdta[0] + pdta[1], 'phdr');
  if (!phdr) throw new Error(`${name}: no phdr chunk`);
  const [off, size] = phdr;
  const count = Math.floor(size / 38) - 1; // last record is the EOP terminator
  const out: Sf2Preset[] = [];
  for (let i = 0; i < count; i++) {
    const o = off + i * 38;
    let s = '';
    for (let j = 0; j < 20 && bytes[o + j] !== 0; j++) s += String.fromCharCode(bytes[o + j]!);
    out.push({ name: s.trim(), program: dv.getUint16(o + 20, true), bank: dv.getUint16(o + 22, true) });
  }
  return out;
}
