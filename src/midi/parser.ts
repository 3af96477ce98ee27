/**
 * A byte-stream MIDI 1.0 parser: running status, note-on with velocity 0 as
 * note-off, real-time bytes (0xF8–0xFF) interleaved anywhere without
 * disturbing a message or the running status, sysex skipped, system common
 * messages clearing the running status. Pure: bytes in, events out.
 */
import type { MidiNote, Velocity } from '../units.js';

/** Channel numbers are 1–16, as musicians count them (GM drums are channel 10). */
export type MidiChannel = number;

export type MidiEvent =
  | { type: 'noteon'; channel: MidiChannel; note: MidiNote; velocity: Velocity; time: number }
  | { type: 'noteoff'; channel: MidiChannel; note: MidiNote; velocity: number; time: number }
  | { type: 'cc'; channel: MidiChannel; controller: number; value: number; time: number }
  | { type: 'program'; channel: MidiChannel; program: number; time: number }
  | { type: 'pitchbend'; channel: MidiChannel; value: number; time: number }
  | { type: 'aftertouch'; channel: MidiChannel; note: MidiNote | null; pressure: number; time: number }
  | { type: 'realtime'; status: number; time: number };

/** Data bytes following a channel status byte (0x80–0xEF). */
function channelDataLength(status: number): number {
  const kind = status & 0xf0;
  return kind === 0xc0 || kind === 0xd0 ? 1 : 2;
}

/** Data bytes following a system common status (0xF1–0xF6); sysex is handled apart. */
function systemDataLength(status: number): number {
  switch (status) {
    case 0xf1:
    case 0xf3:
      return 1;
    case 0xf2:
      return 2;
    default:
      return 0;
  }
}

export class MidiParser {
  /** Running status (a channel status byte) or 0. */
  private running = 0;
  /** Status of the message being assembled, or 0. */
  private status = 0;
  private readonly data: number[] = [];
  private need = 0;
  private inSysex = false;

  /** Feed bytes; returns the complete events they finish, in order. `time` is stamped on each. */
  push(bytes: ArrayLike<number>, time = 0): MidiEvent[] {
    const out: MidiEvent[] = [];
    for (let i = 0; i < bytes.length; i++) this.byte(bytes[i]! & 0xff, time, out);
    return out;
  }

  /** Forget any partial message and the running status (e.g. after a device reconnects). */
  reset(): void {
    this.running = 0;
    this.status = 0;
    this.need = 0;
    this.data.length = 0;
    this.inSysex = false;
  }

  private byte(b: number, time: number, out: MidiEvent[]): void {
    if (b >= 0xf8) {
      // Real-time: may appear anywhere, changes nothing else.
      out.push({ type: 'realtime', status: b, time });
      return;
    }
    if (b & 0x80) {
      if (b === 0xf7) {
        // End of sysex (or a stray EOX): nothing pending either way.
        this.inSysex = false;
        this.status = 0;
        return;
      }
      this.inSysex = false;
      this.data.length = 0;
      if (b === 0xf0) {
        this.inSysex = true;
        this.running = 0;
        this.status = 0;
        return;
      }
      if (b >= 0xf0) {
        // System common: clears running status.
        this.running = 0;
        this.status = b;
        this.need = systemDataLength(b);
        if (this.need === 0) this.status = 0; // tune request etc.: nothing to report
        return;
      }
      this.running = b;
      this.status = b;
      this.need = channelDataLength(b);
      return;
    }
    // Data byte.
    if (this.inSysex) return;
    if (this.status === 0) {
      if (this.running === 0) return; // data without a status: ignore
      this.status = this.running;
      this.need = channelDataLength(this.running);
    }
    this.data.push(b);
    if (this.data.length < this.need) return;
    const status = this.status;
    const [d1 = 0, d2 = 0] = this.data;
    this.data.length = 0;
    // The next data byte starts a new message under the running status (none after system common).
    this.status = 0;
    if (status >= 0xf0) return;
    const channel = (status & 0x0f) + 1;
    switch (status & 0xf0) {
      case 0x90:
        out.push(d2 === 0 ? { type: 'noteoff', channel, note: d1, velocity: 0, time } : { type: 'noteon', channel, note: d1, velocity: d2, time });
        break;
      case 0x80:
        out.push({ type: 'noteoff', channel, note: d1, velocity: d2, time });
        break;
      case 0xa0:
        out.push({ type: 'aftertouch', channel, note: d1, pressure: d2, time });
        break;
      case 0xb0:
        out.push({ type: 'cc', channel, controller: d1, value: d2, time });
        break;
      case 0xc0:
        out.push({ type: 'program', channel, program: d1, time });
        break;
      case 0xd0:
        out.push({ type: 'aftertouch', channel, note: null, pressure: d1, time });
        break;
      case 0xe0:
        out.push({ type: 'pitchbend', channel, value: (d2 << 7) | d1, time });
        break;
    }
  }
}
