/** A note for the render score (times in seconds at the file's fixed tempo). */
export interface ScoreNote {
  channel: number;
  note: number;
  velocity: number;
  /** Start (s). */
  on: number;
  /** Release (s). */
  off: number;
}

const TPQ = 480;
/** 120 bpm: 960 ticks per second. */
const TICKS_PER_SECOND = 960;

function varLen(n: number): number[] {
  const bytes = [n & 0x7f];
  n >>= 7;
  while (n > 0) {
    bytes.unshift((n & 0x7f) | 0x80);
    n >>= 7;
  }
  return bytes;
}

/**
 * A format-0 Standard MIDI File that selects `program` (and `bank` via CC0)
 * on every used channel, then plays `notes`. Used to drive the fluidsynth CLI.
 */
export function writeMidiFile(notes: ScoreNote[], program: number, bank = 0): Uint8Array {
  type Ev = { tick: number; order: number; data: number[] };
  const evs: Ev[] = [];
  evs.push({ tick: 0, order: 0, data: [0xff, 0x51, 0x03, 0x07, 0xa1, 0x20] }); // 500,000 µs per quarter
  const channels = [...new Set(notes.map((n) => n.channel))];
  for (const ch of channels) {
    evs.push({ tick: 0, order: 1, data: [0xb0 | ch, 0x00, bank & 0x7f] });
    evs.push({ tick: 0, order: 2, data: [0xc0 | ch, program & 0x7f] });
  }
  for (const n of notes) {
    evs.push({ tick: Math.round(n.on * TICKS_PER_SECOND), order: 4, data: [0x90 | n.channel, n.note, n.velocity] });
    evs.push({ tick: Math.round(n.off * TICKS_PER_SECOND), order: 3, data: [0x80 | n.channel, n.note, 0] });
  }
  evs.sort((a, b) => a.tick - b.tick || a.order - b.order);
  const track: number[] = [];
  let last = 0;
  for (const e of evs) {
    track.push(...varLen(e.tick - last), ...e.data);
    last = e.tick;
  }
  track.push(0x00, 0xff, 0x2f, 0x00);
  const head = [0x4d, 0x54, 0x68, 0x64, 0, 0, 0, 6, 0, 0, 0, 1, (TPQ >> 8) & 0xff, TPQ & 0xff];
  const len = track.length;
  const trk = [0x4d, 0x54, 0x72, 0x6b, (len >>> 24) & 0xff, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff];
  return Uint8Array.from([...head, ...trk, ...track]);
}
