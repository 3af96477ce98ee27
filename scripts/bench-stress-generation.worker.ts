/**
 * bench:stress's generation worker (worker_threads): the browser worker's
 * logic (GenerationService + OneShotSynth, src/engine/) on the Node tfjs
 * backend (wasm, else cpu), speaking the same WorkerRequest / WorkerEvent
 * protocol. One bench-only message on top: {type:'bench-memory'} answers with
 * tf.memory() and this thread's heap, so the bench can watch for leaks.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { GENERATION_MAX_BATCH } from '../src/audio/constants.js';
import { cachingReader, GenerationService, oneLine } from '../src/engine/generation-service.js';
import type { WorkerEvent, WorkerRequest } from '../src/engine/protocol.js';
import { OneShotSynth } from '../src/engine/synth.js';
import { initNodeBackend, type NodeBackendName } from '../src/model/backend-node.js';
import { nodeReader } from '../src/model/reader-node.js';

export type BenchMemoryReply = { type: 'bench-memory'; token: number; numTensors: number; numBytes: number; heapUsed: number };

const port = parentPort!;
// A full collection before each heap reading, so the numbers are live data, not GC timing.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const { modelDir, backend, threads } = workerData as { modelDir: string; backend: NodeBackendName; threads: number };
const post = (ev: WorkerEvent, transfer: Transferable[] = []) => port.postMessage(ev, transfer as never);
let service: GenerationService | null = null;
let backendNote = '';

port.on('message', async (msg: WorkerRequest | { type: 'bench-memory'; token: number }) => {
  try {
    switch (msg.type) {
      case 'bench-memory': {
        gc();
        const m = tf.memory();
        port.postMessage({ type: 'bench-memory', token: msg.token, numTensors: m.numTensors, numBytes: m.numBytes, heapUsed: process.memoryUsage().heapUsed } satisfies BenchMemoryReply);
        break;
      }
      case 'init': {
        if (service) throw new Error('init: already initialised');
        const reader = cachingReader(nodeReader(modelDir));
        const maxBatch = msg.maxBatch ?? GENERATION_MAX_BATCH;
        service = new GenerationService({
          backends: [backend],
          // The Node backend is chosen once (wasm with threads, else single-threaded wasm, else cpu) and kept.
          activate: async () => {
            const info = await initNodeBackend(backend, { threads });
            backendNote = `${info.name} ×${info.threads}${info.note ? ` (${info.note})` : ''}`;
            return '';
          },
          load: () => OneShotSynth.load(reader, { maxBatch }),
          post: (ev, transfer) => {
            if (ev.type === 'backend') ev = { ...ev, reason: backendNote };
            post(ev, transfer);
          },
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
        break;
    }
  } catch (err) {
    post({ type: 'error', message: oneLine(err) });
  }
});
