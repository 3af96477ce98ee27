/**
 * What the status line says (src/app/status-text.ts): latency in ms, the
 * backends tried, and what a browser without WebGPU or Web MIDI uses instead.
 */
import { describe, expect, it } from 'vitest';
import { attemptLines, capabilityNotes, latencyMs, latencyText } from '../../src/app/status-text.js';

describe('status text', () => {
  it('formats latencies and says when the browser does not report one', () => {
    expect(latencyMs(0.0058)).toBe('5.8 ms');
    expect(latencyMs(0.0213)).toBe('21 ms');
    expect(latencyMs(null)).toBe('—');
    expect(latencyMs(Number.NaN)).toBe('—');
    expect(latencyText(0.01, 0.032)).toBe('latency 10 ms base, 32 ms output');
    expect(latencyText(0.0029, undefined)).toBe('latency 2.9 ms base, n/a output');
  });

  it('lists every backend attempt with its reason', () => {
    expect(attemptLines([
      { backend: 'webgpu', ok: false, reason: 'no adapter' },
      { backend: 'wasm', ok: true, reason: '' },
    ])).toEqual(['WebGPU: not used (no adapter)', 'WASM: ok']);
  });

  it('says what replaces a missing WebGPU or Web MIDI, and nothing when both are there', () => {
    const midiOk = { state: 'enabled' as const, devices: ['Pad'] };
    expect(capabilityNotes({ webgpu: true, midi: midiOk, backend: 'webgpu' })).toEqual([]);
    const noGpu = capabilityNotes({ webgpu: false, midi: midiOk, backend: 'wasm' });
    expect(noGpu).toHaveLength(1);
    expect(noGpu[0]).toMatch(/^WebGPU is not available in this browser: sounds are generated with WASM instead/);
    const failed = [{ backend: 'webgpu', ok: false, reason: 'no adapter' }, { backend: 'webgl', ok: true, reason: '' }];
    expect(capabilityNotes({ webgpu: true, midi: midiOk, backend: 'webgl', attempts: failed })).toEqual([
      'WebGPU could not run the model here (no adapter): sounds are generated with WebGL instead (slower).',
    ]);
    // WebGPU never tried (the page was told ?backends=wasm): nothing to explain.
    expect(capabilityNotes({ webgpu: true, midi: midiOk, backend: 'wasm', attempts: [{ backend: 'wasm', ok: true, reason: '' }] })).toEqual([]);
    const noMidi = capabilityNotes({ webgpu: true, midi: { state: 'unavailable', devices: [], reason: 'this browser has no Web MIDI' }, backend: 'webgpu' });
    expect(noMidi).toEqual([expect.stringMatching(/^Web MIDI is unavailable \(this browser has no Web MIDI\): play with the mouse, touch or the computer keyboard/)]);
    // MIDI switched off on purpose (?midi=off) stays 'off': no note.
    expect(capabilityNotes({ webgpu: true, midi: { state: 'off', devices: [] }, backend: null })).toEqual([]);
  });
});
