/** File output of the dataset scripts. */
import { renameSync, writeFileSync } from 'node:fs';

/** Writes `file` through a temporary name and a rename, so a half-written file never exists under its name. */
export function writeAtomic(file: string, data: Uint8Array | string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}
