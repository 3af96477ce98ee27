/**
 * Test page: load a shipped model on the backend named in the query
 * (?backend=webgpu|wasm&model=drums|tonal), generate one one-shot with few
 * steps, and publish the result on window.modelResult for the browser test.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { Generator } from '../../../src/model/generator.js';
import { fetchReader } from '../../../src/model/loader.js';

declare global {
  interface Window {
    modelResult?: { ok: boolean; backend?: string; error?: string; length?: number; peak?: number; finite?: boolean; params?: number; loadMs?: number; genMs?: number; tensorsAfterDispose?: number; tensorsBefore?: number };
  }
}

async function run(): Promise<void> {
  const q = new URLSearchParams(location.search);
  const backend = q.get('backend') ?? 'wasm';
  const model = q.get('model') ?? 'drums';
  setWasmPaths({ 'tfjs-backend-wasm.wasm': wasmPlain, 'tfjs-backend-wasm-simd.wasm': wasmSimd, 'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded });
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  if (!(await tf.setBackend(backend))) throw new Error(`tf.setBackend('${backend}') returned false`);
  await tf.ready();
  const before = tf.memory().numTensors;
  const t0 = performance.now();
  const gen = await Generator.load(fetchReader(`/models/${model}/`));
  const loadMs = performance.now() - t0;
  const req = model === 'drums' ? { class: 'snare', seed: 7, steps: 2 } : { family: 'bass', pitch: 36, velocity: 100, seed: 7, steps: 2 };
  const t1 = performance.now();
  const [audio] = await gen.generate([req]);
  const genMs = performance.now() - t1;
  let peak = 0;
  let finite = true;
  for (const v of audio!) {
    if (!Number.isFinite(v)) finite = false;
    peak = Math.max(peak, Math.abs(v));
  }
  const params = gen.config.architecture.params;
  gen.dispose();
  window.modelResult = { ok: true, backend: tf.getBackend(), length: audio!.length, peak, finite, params, loadMs, genMs, tensorsBefore: before, tensorsAfterDispose: tf.memory().numTensors };
}

run().catch((e: unknown) => {
  window.modelResult = { ok: false, error: e instanceof Error ? e.message : String(e) };
});
