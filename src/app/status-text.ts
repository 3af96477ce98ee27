/**
 * Status-line text, pure (tested in Node): what the page says about the
 * audio latency, the tfjs backend and what is missing on this browser
 * (WebGPU, Web MIDI) and what it uses instead.
 */
import type { BackendAttempt } from '../engine/protocol.js';
import type { MidiInputStatus } from '../midi/webmidi-input.js';
import type { Seconds } from '../units.js';

/** Backend names as people know them. */
export const BACKEND_NAMES: Readonly<Record<string, string>> = { webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WASM', cpu: 'CPU' };

export function backendName(b: string): string {
  return BACKEND_NAMES[b] ?? b;
}

/** "5.8 ms" for a latency in seconds; null / non-finite / negative → "—". */
export function latencyMs(s: Seconds | null | undefined): string {
  if (s === null || s === undefined || !Number.isFinite(s) || s < 0) return '—';
  const ms = s * 1000;
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

/**
 * The audio context's latency: base (the context's own buffering) and output
 * (the device after it), as AudioContext.baseLatency / outputLatency report
 * them; browsers without outputLatency say "output n/a".
 */
export function latencyText(base: Seconds | null | undefined, output: Seconds | null | undefined): string {
  const b = latencyMs(base);
  const o = output === undefined ? 'n/a' : latencyMs(output);
  return `latency ${b} base, ${o} output`;
}

/** One line per backend attempt: "WebGPU: ok" or "WebGPU: failed (reason)". */
export function attemptLines(attempts: readonly BackendAttempt[]): string[] {
  return attempts.map((a) => `${backendName(a.backend)}: ${a.ok ? 'ok' : `not used (${a.reason || 'no reason given'})`}`);
}

export interface Capabilities {
  /** navigator.gpu exists. */
  webgpu: boolean;
  midi: MidiInputStatus;
  /** Backend in use, once one is. */
  backend: string | null;
  /** Backends tried so far (a WebGPU that was tried and failed says why). */
  attempts?: readonly BackendAttempt[];
}

/**
 * What this browser lacks and what the instrument uses instead, one line
 * each (empty when nothing is missing): shown on the page at first run.
 */
export function capabilityNotes(c: Capabilities): string[] {
  const out: string[] = [];
  if (!c.webgpu) {
    out.push(`WebGPU is not available in this browser: sounds are generated with ${c.backend ? backendName(c.backend) : 'WebGL, WASM or the CPU'} instead (slower; the pads fill up over a few seconds).`);
  } else {
    // Only when WebGPU was tried: a page told to skip it (?backends=wasm) has nothing to explain.
    const failed = c.attempts?.find((a) => a.backend === 'webgpu' && !a.ok);
    if (failed && c.backend && c.backend !== 'webgpu') {
      out.push(`WebGPU could not run the model here (${failed.reason || 'no reason given'}): sounds are generated with ${backendName(c.backend)} instead (slower).`);
    }
  }
  if (c.midi.state === 'unavailable') {
    out.push(`Web MIDI is unavailable (${c.midi.reason ?? 'no reason given'}): play with the mouse, touch or the computer keyboard (pads on Z–V, A–F, Q–R, 1–4; "?" lists the keys).`);
  }
  return out;
}
