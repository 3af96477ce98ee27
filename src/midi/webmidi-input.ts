/**
 * Thin adapter from webmidi (Web MIDI API) to the pure parser: every input
 * port gets its own parser (running status is per port), ports are attached
 * and detached as they are plugged in and out, and enabling never blocks the
 * page: no Web MIDI, a denied permission or a prompt left unanswered ends in
 * a status message, not a hang.
 */
import { WebMidi, type Input } from 'webmidi';
import { MidiParser, type MidiEvent } from './parser.js';

export interface MidiInputStatus {
  /** 'off' before start, 'enabled' with access, 'unavailable' when Web MIDI cannot be used. */
  state: 'off' | 'enabled' | 'unavailable';
  /** Names of the connected input ports. */
  devices: string[];
  /** Why it is unavailable. */
  reason?: string;
}

export class MidiInput {
  private readonly parsers = new Map<string, MidiParser>();
  private readonly attached = new Map<string, Input>();
  private status: MidiInputStatus = { state: 'off', devices: [] };

  constructor(
    private readonly onEvent: (e: MidiEvent, device: string) => void,
    private readonly onStatus: (s: MidiInputStatus) => void = () => {},
  ) {}

  get current(): MidiInputStatus {
    return this.status;
  }

  /** Ask for MIDI access; resolves with the status (never rejects). */
  async start(timeoutMs = 5000): Promise<MidiInputStatus> {
    if (typeof navigator === 'undefined' || typeof (navigator as Navigator & { requestMIDIAccess?: unknown }).requestMIDIAccess !== 'function') {
      return this.set({ state: 'unavailable', devices: [], reason: 'this browser has no Web MIDI' });
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        WebMidi.enable({ sysex: false }),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer to the MIDI permission request within ${timeoutMs / 1000} s`)), timeoutMs);
        }),
      ]);
    } catch (e) {
      return this.set({ state: 'unavailable', devices: [], reason: e instanceof Error ? e.message : String(e) });
    } finally {
      clearTimeout(timer);
    }
    WebMidi.addListener('connected', () => this.sync());
    WebMidi.addListener('disconnected', () => this.sync());
    this.sync();
    return this.status;
  }

  stop(): void {
    for (const input of this.attached.values()) input.removeListener('midimessage');
    this.attached.clear();
    this.parsers.clear();
    if (WebMidi.enabled) void WebMidi.disable().catch(() => {});
    this.set({ state: 'off', devices: [] });
  }

  /** Attach new input ports, detach vanished ones, report the list. */
  private sync(): void {
    const now = new Map(WebMidi.inputs.filter((i) => i.state === 'connected').map((i) => [i.id, i] as const));
    for (const [id, input] of this.attached) {
      if (!now.has(id)) {
        input.removeListener('midimessage');
        this.attached.delete(id);
        this.parsers.delete(id);
      }
    }
    for (const [id, input] of now) {
      if (this.attached.has(id)) continue;
      const parser = new MidiParser();
      this.parsers.set(id, parser);
      this.attached.set(id, input);
      input.addListener('midimessage', (e) => {
        const bytes = e.message.rawData;
        for (const ev of parser.push(bytes, e.timestamp)) this.onEvent(ev, input.name);
      });
    }
    this.set({ state: 'enabled', devices: [...now.values()].map((i) => i.name) });
  }

  private set(s: MidiInputStatus): MidiInputStatus {
    this.status = s;
    this.onStatus(s);
    return s;
  }
}
