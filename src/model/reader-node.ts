/**
 * ModelReader over a folder on disk (Node only; kept out of loader.ts so
 * browser bundles never see node:fs).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ModelReader } from './loader.js';

export function nodeReader(dir: string): ModelReader {
  const at = (file: string) => path.join(dir, file);
  return {
    describe: (file) => at(file),
    readText: (file) => readFile(at(file), 'utf8'),
    readBinary: async (file) => {
      const b = await readFile(at(file));
      // Copy into a fresh ArrayBuffer: Node may hand out a slice of a shared pool.
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
    },
  };
}
