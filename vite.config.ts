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
  optimizeDeps: { exclude: ['@tensorflow/tfjs-backend-wasm'] },
});
