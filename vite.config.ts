import { defineConfig } from 'vite';

/**
 * Cross-origin isolation (COOP/COEP) makes SharedArrayBuffer available, which
 * the sample transport and tfjs-wasm threads use; set for dev and preview.
 */
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  server: { headers: isolation, host: '127.0.0.1', port: 5173 },
  preview: { headers: isolation, host: '127.0.0.1', port: 4173 },
  worker: { format: 'es' },
  build: { target: 'es2022' },
  // Scan the worker up front: found late, its dependencies re-optimise mid-load
  // and a fresh dev server fails to start it. (tfjs-backend-wasm must not be
  // excluded: unoptimised it has no 'wasmWorkerContents' export in dev.)
  optimizeDeps: { entries: ['index.html', 'src/engine/generation.worker.ts'] },
});
