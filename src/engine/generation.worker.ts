/**
 * The generation worker: owns tfjs and the model, only computes. The logic
 * lives in GenerationService; this file loads the browser backends (WebGPU
 * and WASM on demand, so a backend that cannot load is just skipped with its
 * reason), implements their activation checks and watches a WebGPU device
 * for loss.
 */
/// <reference lib="webworker" />
import * as tf from '@tensorflow/tfjs';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { fetchReader } from '../model/loader.js';
import { GENERATION_MAX_BATCH } from '../audio/constants.js';
import { activateBackend, cachingReader, GenerationService, oneLine } from './generation-service.js';
import { BACKEND_ORDER, type WorkerEvent, type WorkerRequest } from './protocol.js';
import { OneShotSynth } from './synth.js';

declare const self: DedicatedWorkerGlobalScope;

const post = (ev: WorkerEvent, transfer: Transferable[] = []) => self.postMessage(ev, transfer);

/** Register a backend whose code is loaded on demand; '' or the reason it cannot load. */
async function register(name: string): Promise<string> {
  try {
    if (name === 'webgpu' && !tf.findBackendFactory('webgpu')) await import('@tensorflow/tfjs-backend-webgpu');
    if (name === 'wasm' && !tf.findBackendFactory('wasm')) {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      wasm.setWasmPaths({
        'tfjs-backend-wasm.wasm': wasmPlain,
        'tfjs-backend-wasm-simd.wasm': wasmSimd,
        'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
      });
    }
    return '';
  } catch (e) {
    return `cannot load the ${name} backend: ${oneLine(e)}`;
  }
}

/** Backend-specific checks before tf.setBackend, so the reason a backend is skipped is precise. */
async function activate(name: string): Promise<string> {
  if (name === 'webgpu') {
    const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
    if (!gpu) return 'navigator.gpu is missing (no WebGPU in this browser or context)';
    try {
      if (!(await gpu.requestAdapter())) return 'no WebGPU adapter';
    } catch (e) {
      return `requestAdapter failed: ${oneLine(e)}`;
    }
  }
  if (name === 'webgl' && typeof OffscreenCanvas === 'undefined') return 'no OffscreenCanvas in workers';
  const missing = await register(name);
  if (missing) return missing;
  if (name === 'wasm') {
    // Single-threaded (SIMD) wasm: the threaded build starts nested pthread
    // workers from source text, which the production minifier breaks and which
    // leave setBackend hanging when they cannot start. (The flag exists once the backend is imported.)
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  }
  return activateBackend(name);
}

/** WebGPU reports a lost device through GPUDevice.lost; the other backends fail on use. */
function watch(name: string, onLost: (reason: string) => void): void {
  if (name !== 'webgpu') return;
  const device = (tf.backend() as unknown as { device?: { lost?: Promise<{ message?: string; reason?: string }> } }).device;
  device?.lost?.then((info) => onLost(`WebGPU device lost${info?.reason ? ` (${info.reason})` : ''}: ${info?.message ?? ''}`.trim()));
}

let service: GenerationService | null = null;

// Anything thrown outside a request (a backend's own worker, a stray promise)
// becomes a status message instead of reaching the page as a worker crash.
self.addEventListener('error', (e) => {
  e.preventDefault();
  post({ type: 'error', message: `generation worker: ${e.message || 'uncaught error'}` });
});
self.addEventListener('unhandledrejection', (e) => {
  e.preventDefault();
  post({ type: 'error', message: `generation worker: ${oneLine(e.reason)}` });
});

self.onmessage = async (e: MessageEvent<WorkerRequest>) => {
  const msg = e.data;
  try {
    switch (msg.type) {
      case 'init': {
        if (service) throw new Error('init: already initialised');
        const reader = cachingReader(fetchReader(new URL(msg.modelUrl, self.location.href).href));
        const maxBatch = msg.maxBatch ?? GENERATION_MAX_BATCH;
        service = new GenerationService({
          backends: msg.backends && msg.backends.length > 0 ? msg.backends : [...BACKEND_ORDER],
          load: () => OneShotSynth.load(reader, { maxBatch }),
          post,
          activate,
          watch,
          maxBatch,
        });
        await service.init();
        break;
      }
      case 'generate':
        if (!service) throw new Error('generate before init');
        service.enqueue(msg.jobs);
        break;
      case 'cancel':
        service?.cancel(msg.ids);
        break;
      case 'fail-backend':
        service?.failBackend(msg.reason);
        break;
      case 'dispose':
        service?.dispose();
        service = null;
        self.close();
        break;
    }
  } catch (err) {
    post({ type: 'error', message: oneLine(err) });
  }
};
