/**
 * npm run dataset — build data/ from Debian's hydrogen-drumkits and
 * fluid-soundfont-gm. Prints per-class counts and every skipped file.
 */
import { Command } from 'commander';
import cliProgress from 'cli-progress';
import { BUILD_DEFAULTS, buildDataset, type Kind } from '../src/dataset/builder.js';
import { freeDecoders } from '../src/dataset/decode.js';

const program = new Command()
  .name('dataset')
  .option('--hydrogen <dir>', 'Hydrogen drumkits folder', BUILD_DEFAULTS.hydrogenDir)
  .option('--sf2 <file>', 'FluidR3_GM.sf2 path', BUILD_DEFAULTS.sf2Path)
  .option('--out <dir>', 'output folder (git-ignored)', BUILD_DEFAULTS.outDir)
  .option('--augment <n>', 'augmented copies per training drum one-shot', String(BUILD_DEFAULTS.augmentCopies))
  .option('--only <kind>', 'build only drums or tonal')
  .parse();
const o = program.opts();
const augment = Number(o.augment);
if (!Number.isInteger(augment) || augment < 0 || augment > 20) {
  console.error(`dataset: --augment must be an integer 0–20, got "${o.augment}"`);
  process.exit(2);
}
if (o.only !== undefined && o.only !== 'drums' && o.only !== 'tonal') {
  console.error(`dataset: --only must be "drums" or "tonal", got "${o.only}"`);
  process.exit(2);
}

const bar = new cliProgress.SingleBar(
  { format: '{phase} [{bar}] {value}/{total} {label}', hideCursor: true, noTTYOutput: true, notTTYSchedule: 5000 },
  cliProgress.Presets.shades_classic,
);
let phase = '';
const t0 = Date.now();
const result = await buildDataset({
  hydrogenDir: o.hydrogen,
  sf2Path: o.sf2,
  outDir: o.out,
  augmentCopies: augment,
  augmentTarget: BUILD_DEFAULTS.augmentTarget,
  tonalStep: BUILD_DEFAULTS.tonalStep,
  tonalVelocities: [...BUILD_DEFAULTS.tonalVelocities],
  drumVelocities: [...BUILD_DEFAULTS.drumVelocities],
  ...(o.only ? { only: o.only as Kind } : {}),
  onProgress: (done, total, label) => {
    const p = label.startsWith('features') ? 'features' : 'decode  ';
    if (p !== phase) {
      if (phase) bar.stop();
      phase = p;
      bar.start(total, done, { phase, label: '' });
    }
    bar.update(done, { phase, label: label.slice(0, 40) });
  },
});
bar.stop();
freeDecoders();

for (const kind of ['drums', 'tonal'] as const) {
  const c = result.counts[kind];
  const labels = Object.keys(c.train);
  const total = (s: 'train' | 'val' | 'test') => Object.values(c[s]).reduce((a, b) => a + b, 0);
  if (total('train') + total('val') + total('test') === 0) continue;
  console.log(`\n${kind}: ${'class'.padEnd(22)} train    val   test`);
  for (const l of labels) {
    console.log(`       ${l.padEnd(22)} ${String(c.train[l]).padStart(5)} ${String(c.val[l]).padStart(6)} ${String(c.test[l]).padStart(6)}`);
  }
  console.log(`       ${'total'.padEnd(22)} ${String(total('train')).padStart(5)} ${String(total('val')).padStart(6)} ${String(total('test')).padStart(6)}`);
}
const byReason = new Map<string, number>();
for (const s of result.skipped) {
  const r = s.reason.startsWith('duplicate') ? 'duplicate of a kept sound' : s.reason.startsWith('unlabelable') ? 'unlabelable instrument name' : s.reason;
  byReason.set(r, (byReason.get(r) ?? 0) + 1);
}
console.log(`\nskipped ${result.skipped.length} file(s):`);
for (const [r, n] of byReason) console.log(`  ${String(n).padStart(4)} × ${r}`);
for (const s of result.skipped.filter((q) => !q.reason.startsWith('duplicate')).slice(0, 60)) console.log(`  - ${s.path}: ${s.reason}`);
console.log(`\ndone in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
