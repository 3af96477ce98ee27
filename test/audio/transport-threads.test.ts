/**
 * The SPSC queue across two real threads (worker_threads over one
 * SharedArrayBuffer): 1,000,000 values main → worker on one queue and back
 * worker → main on a second, through small rings so both sides meet full and
 * empty constantly, with counters starting just below the int32 wrap. Every
 * value must come back once, in order.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpscQueue, spscByteLength } from '../../src/audio/spsc.js';

const N = 1_000_000;
const CAP = 64;
const START = 0x7fffffff - 1000;

let dir = '';
let workerFile = '';

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'spsc-'));
  const entry = path.join(dir, 'entry.ts');
  // The worker: pop from queue A, push the same value onto queue B, until N values have passed.
  writeFileSync(
    entry,
    `import { workerData, parentPort } from 'node:worker_threads';
import { SpscQueue } from ${JSON.stringify(path.resolve(__dirname, '../../src/audio/spsc.ts'))};
const { buffer, cap, bytes, n } = workerData;
const a = new SpscQueue(buffer, 0, cap);
const b = new SpscQueue(buffer, bytes, cap);
let moved = 0, spinsFull = 0, spinsEmpty = 0;
while (moved < n) {
  const v = a.pop();
  if (v < 0) { spinsEmpty++; continue; }
  while (!b.push(v)) spinsFull++;
  moved++;
}
parentPort.postMessage({ moved, spinsFull, spinsEmpty });
`,
  );
  workerFile = path.join(dir, 'worker.mjs');
  await esbuild.build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', target: 'es2022', outfile: workerFile, logLevel: 'error' });
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('SpscQueue across threads', () => {
  it(`passes ${N.toLocaleString('en')} values there and back, in order, none lost or doubled`, async () => {
    const bytes = spscByteLength(CAP);
    const buffer = new SharedArrayBuffer(2 * bytes);
    const a = new SpscQueue(buffer, 0, CAP);
    const b = new SpscQueue(buffer, bytes, CAP);
    a.resetCounters(START);
    b.resetCounters(START);
    const worker = new Worker(workerFile, { workerData: { buffer, cap: CAP, bytes, n: N } });
    const done = new Promise<{ moved: number; spinsFull: number; spinsEmpty: number }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    let sent = 0;
    let received = 0;
    let outOfOrder = 0;
    let aFull = 0;
    const t0 = Date.now();
    // Interleave producing on A and consuming from B; yield to the event loop now and then so the worker's messages can land.
    while (received < N) {
      for (let k = 0; k < 4096 && received < N; k++) {
        if (sent < N) {
          if (a.push(sent)) sent++;
          else aFull++;
        }
        const v = b.pop();
        if (v >= 0) {
          if (v !== received) outOfOrder++;
          received++;
        }
      }
      if (Date.now() - t0 > 100_000) throw new Error(`stalled at sent ${sent}, received ${received}`);
    }
    const w = await done;
    await worker.terminate();
    expect(outOfOrder).toBe(0);
    expect(received).toBe(N);
    expect(w.moved).toBe(N);
    expect(a.pop()).toBe(-1);
    expect(b.pop()).toBe(-1);
    // Both queues went round the int32 wrap (START + N > 2^31) and were both full and empty many times.
    expect(START + N).toBeGreaterThan(0x7fffffff);
    expect(aFull).toBeGreaterThan(0);
    expect(w.spinsEmpty).toBeGreaterThan(0);
  });
});
