/**
 * tfjs backend selection for Node (CLI, bench, tests): the wasm backend with
 * XNNPACK threads when possible, the pure-JS cpu backend otherwise.
 *
 * tfjs-backend-wasm 4.22 disables threads in Node outright
 * (WASM_HAS_MULTITHREAD_SUPPORT is false when IS_NODE, tfjs issue #3830), and
 * its threaded build cannot start there as shipped: Emscripten spawns pthread
 * workers from a blob: URL, which Node's Worker rejects, and sends them the
 * main script as a Blob they cannot import. The threaded build does contain a
 * Node path (worker_threads, fs-based importScripts), so a Worker subclass that
 * runs the worker source with { eval: true } and hands it the main script's
 * file path is all it takes. Finally tfjs sizes its XNNPACK pool as at most
 * (logical cores / 2), assuming SMT, which is 1 on a 2-core box, so the core
 * count is raised to 2 × threads while the backend initialises.
 * Everything is undone right after initialisation; any failure falls back to
 * single-threaded wasm, then to cpu, and says so.
 */
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { Worker as NodeWorker, type WorkerOptions } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

export type NodeBackendName = 'wasm' | 'cpu';

export interface BackendInfo {
  /** The backend in use. */
  name: NodeBackendName;
  /** XNNPACK threads (wasm), 1 for cpu. */
  threads: number;
  /** Why the result differs from the request, for the user; absent when it does not. */
  note?: string;
}

const require = createRequire(import.meta.url);
const wasmPackage = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));

let wasmPathsSet = false;

/**
 * Select a backend. For 'wasm' with threads > 1, tries the threaded build,
 * then the single-threaded one, then cpu.
 */
export async function initNodeBackend(preferred: NodeBackendName = 'wasm', opts: { threads?: number } = {}): Promise<BackendInfo> {
  tf.enableProdMode(); // no "install tfjs-node" banner, no per-op debug checks
  if (preferred === 'cpu') return useCpu();
  const threads = Math.max(1, Math.floor(opts.threads ?? 2));
  if (!wasmPathsSet) {
    // File path with a trailing slash: Emscripten reads the .wasm with fs in Node.
    setWasmPaths(`${path.join(wasmPackage, 'dist')}${path.sep}`);
    wasmPathsSet = true;
  }
  let reason = '';
  if (threads > 1) {
    const restore = installThreadShims(threads);
    try {
      setThreadsCount(threads);
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
      if (await quietly(() => tf.setBackend('wasm'))) {
        const got = getThreadsCount();
        return { name: 'wasm', threads: got, ...(got < threads ? { note: `wasm backend runs ${got} thread(s), not ${threads}` } : {}) };
      }
      reason = 'threaded wasm failed to start';
    } catch (e) {
      reason = `threaded wasm failed to start (${firstLine(e)})`;
    } finally {
      restore();
    }
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  }
  try {
    setThreadsCount(1);
    if (await quietly(() => tf.setBackend('wasm'))) {
      return { name: 'wasm', threads: 1, ...(reason ? { note: `${reason}; using single-threaded wasm` } : {}) };
    }
    reason = reason ? `${reason}; single-threaded wasm failed too` : 'wasm backend failed to start';
  } catch (e) {
    reason = `wasm backend failed to start (${firstLine(e)})`;
  }
  const cpu = await useCpu();
  return { ...cpu, note: `${reason}; using the (slower) cpu backend` };
}

/**
 * Dispose the wasm backend, which terminates its pthread workers: a running
 * XNNPACK worker keeps Node's event loop alive, so a CLI would never exit.
 * Tensors on the wasm backend are lost; call it last.
 */
export function shutdownNodeBackend(): void {
  if (tf.engine().registry['wasm']) tf.removeBackend('wasm');
}

async function useCpu(): Promise<BackendInfo> {
  if (!(await tf.setBackend('cpu'))) throw new Error('tfjs: the cpu backend failed to start');
  return { name: 'cpu', threads: 1 };
}

/** Install the Worker and core-count shims; returns the undo function. */
function installThreadShims(threads: number): () => void {
  const g = globalThis as Record<string, unknown>;
  const hadWorker = Object.getOwnPropertyDescriptor(g, 'Worker');
  // Escape '\n' the way tfjs does before putting the source in a Blob.
  const { wasmWorkerContents } = require(path.join(wasmPackage, 'wasm-out/tfjs-backend-wasm-threaded-simd.worker.js')) as {
    wasmWorkerContents: string;
  };
  const workerSource = wasmWorkerContents.replace(/\n/g, '\\n');
  const mainScript = path.join(wasmPackage, 'wasm-out/tfjs-backend-wasm-threaded-simd.js');

  class PthreadWorker extends NodeWorker {
    constructor(url: string | URL, options?: WorkerOptions) {
      if (typeof url === 'string' && url.startsWith('blob:')) super(workerSource, { ...options, eval: true });
      else super(url, options);
    }
    override postMessage(message: unknown, transfer?: readonly (ArrayBuffer | import('node:worker_threads').MessagePort)[]): void {
      const m = message as { cmd?: string; urlOrBlob?: unknown } | null;
      // The worker importScripts() the main script: give it a path instead of a Blob.
      if (m && m.cmd === 'load' && typeof m.urlOrBlob !== 'string') message = { ...m, urlOrBlob: mainScript };
      super.postMessage(message, transfer as never);
    }
  }
  // Emscripten assigns global.Worker = worker_threads.Worker on init; keep ours.
  Object.defineProperty(g, 'Worker', { configurable: true, get: () => PthreadWorker, set: () => {} });

  const cpus = os.cpus;
  (os as { cpus: typeof os.cpus }).cpus = () => {
    const list = cpus();
    const first = list[0];
    while (first && list.length < 2 * threads) list.push(first);
    return list;
  };
  return () => {
    (os as { cpus: typeof os.cpus }).cpus = cpus;
    if (hadWorker) Object.defineProperty(g, 'Worker', hadWorker);
    else delete g['Worker'];
  };
}

/** Run fn with tfjs's multi-line init warnings muted (we report our own one-line note). */
async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const warn = console.warn;
  console.warn = () => {};
  try {
    return await fn();
  } finally {
    console.warn = warn;
  }
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
}
