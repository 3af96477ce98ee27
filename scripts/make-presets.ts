/**
 * npx tsx scripts/make-presets.ts [--threads N]
 *
 * Makes the factory presets (presets/*.json, except default-kit.json) and
 * docs/presets.md by measurement, not at random:
 *
 * 1. Candidates: every drum class at seeds 5000–5031 and six tonal families
 *    at one note each, seeds 7000–7015, generated with the shipped models at
 *    their default guidance and steps (scripts/make-presets-candidates.ts;
 *    cached in .cache/presets/, so a rerun generates only what is missing).
 * 2. Measure: src/dsp/descriptors.ts (centroid, decay to −40 dB, punch,
 *    flatness) of each candidate.
 * 3. Select: each preset has a scoring rule over per-class z-scores (log
 *    centroid, log decay, punch, flatness); each pad takes the best-scoring
 *    seed of its class not already used in that preset. Toms are then ordered
 *    by centroid so the low floor tom (note 41) is the darkest.
 * 4. Write: the presets, validated by the v2 schema, with their measured
 *    figures in the description, and docs/presets.md with every pick.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DRUM_CLASSES, type DrumClass, type GmFamily } from '../src/constants.js';
import { migratePreset, presetToText } from '../src/presets/migrate.js';
import { emptyPattern, parsePresetV2, type Pattern, type Preset, type PresetPad } from '../src/presets/schema.js';
import { candidateKey, ensureCandidates, repoRoot, type Candidate, type CandidateSpec } from './make-presets-candidates.js';

/** Candidate seeds: drums 5000…5031 per class, tonal 7000…7015 per family. */
const DRUM_SEEDS = Array.from({ length: 32 }, (_, i) => 5000 + i);
const TONAL_SEEDS = Array.from({ length: 16 }, (_, i) => 7000 + i);
/** The note each tonal family is auditioned at (MIDI), where its instruments sit. */
const TONAL_NOTES: Record<string, number> = { bass: 36, piano: 60, 'synth-pad': 48, 'chromatic-percussion': 72, 'synth-lead': 60, organ: 48 };

type Feature = 'bright' | 'decay' | 'punch' | 'noise';
type Weights = Partial<Record<Feature, number>>;

interface KitRecipe {
  file: string;
  name: string;
  /** What the rule is after, in words (the description's first half). */
  idea: string;
  weights: Weights;
  variation: number;
  patterns: Pattern[];
  /** Pad mix tweaks by pad index. */
  mix?: Partial<Record<number, Partial<PresetPad>>>;
}

interface TonalRecipe {
  file: string;
  name: string;
  idea: string;
  family: GmFamily;
  weights: Weights;
  octave: number;
}

/** Step strings: X = 127, x = 100, o = 72, - = 45, . = rest. */
function pattern(name: string, tempo: number, swing: number, rows: Record<number, string>): Pattern {
  const p = emptyPattern(name, tempo, swing);
  const vel: Record<string, number> = { X: 127, x: 100, o: 72, '-': 45, '.': 0 };
  for (const [pad, row] of Object.entries(rows)) {
    const steps = row.replace(/\s/g, '');
    if (steps.length !== 16) throw new Error(`pattern ${name}: pad ${pad} row has ${steps.length} steps`);
    p.steps[Number(pad)] = [...steps].map((c) => {
      const v = vel[c];
      if (v === undefined) throw new Error(`pattern ${name}: unknown step "${c}"`);
      return v;
    });
  }
  return p;
}

// Pad indices of the GM layout (presets/default-kit.json).
const KICK = 0, RIM = 1, SNARE = 2, CLAP = 3, CHH = 6, PEDAL = 8, OHH = 10, CRASH = 13, RIDE = 15, TOM_LOW = 5, TOM_HIGH = 14;

const KITS: KitRecipe[] = [
  {
    file: 'dark-808-ish.json',
    name: 'Dark 808-ish',
    idea: 'the darkest, longest sounds of each class: low-centroid long kicks and toms',
    weights: { bright: -1, decay: 1 },
    variation: 0.2,
    mix: { [KICK]: { gainDb: 1 } },
    patterns: [
      pattern('Half-time trap', 140, 50, {
        [KICK]: 'X... .... ..x. .... ',
        [SNARE]: '.... .... X... .... ',
        [CHH]: 'x.x. x.xx x.x. xxxx',
        [OHH]: '.... ...- .... ..o.',
      }),
      pattern('Boom', 80, 58, { [KICK]: 'X..x ..x. X... .x..', [CLAP]: '.... X... .... X...', [CHH]: 'x-x- x-x- x-x- x-xo' }),
    ],
  },
  {
    file: 'tight-acoustic.json',
    name: 'Tight acoustic',
    idea: 'the shortest decays of each class, a dry and tight kit',
    weights: { decay: -1, punch: 0.3 },
    variation: 0.15,
    patterns: [
      pattern('Backbeat', 96, 54, {
        [KICK]: 'X... ..x. X.x. ....',
        [SNARE]: '.... X... .... X..-',
        [CHH]: 'x.o. x.o. x.o. x.o.',
        [PEDAL]: '.... .... .... ....',
      }),
      pattern('Fill', 96, 54, { [KICK]: 'X... .... X... ....', [SNARE]: 'x.o. x.-. .... ....', [9]: '.... .... x.x. ....', [TOM_LOW]: '.... .... .... x.x.', [CRASH]: '.... .... .... ...X' }),
    ],
  },
  {
    file: 'bright-electronic.json',
    name: 'Bright electronic',
    idea: 'the highest spectral centroids of each class',
    weights: { bright: 1 },
    variation: 0.25,
    patterns: [
      pattern('Four on the floor', 124, 50, {
        [KICK]: 'X... X... X... X...',
        [CLAP]: '.... X... .... X...',
        [CHH]: '..x. ..x. ..x. ..x.',
        [OHH]: '.... .... .... ..o.',
        [RIDE]: '-.-. -.-. -.-. -.-.',
      }),
    ],
  },
  {
    file: 'punchy.json',
    name: 'Punchy',
    idea: 'the most energy in the first 50 ms of each class: hard, front-loaded hits',
    weights: { punch: 1 },
    variation: 0.25,
    patterns: [
      pattern('Boom bap', 92, 62, {
        [KICK]: 'X... ...x ..X. ....',
        [SNARE]: '.... X... .... X...',
        [CHH]: 'x.x. x.x. x.x. x.xo',
        [RIM]: '.... .... .-.. ....',
      }),
    ],
  },
  {
    file: 'roomy-soft.json',
    name: 'Roomy and soft',
    idea: 'the least punch and the longest tails: slow attacks that bloom',
    weights: { punch: -1, decay: 0.5 },
    variation: 0.35,
    mix: { [OHH]: { gainDb: -2 }, [CRASH]: { gainDb: -3 } },
    patterns: [
      pattern('Brushy shuffle', 84, 66, { [KICK]: 'x... ..o. x... ..o.', [SNARE]: '.... o... .... o..-', [RIDE]: 'o.-o o.-o o.-o o.-o' }),
    ],
  },
  {
    file: 'noisy-lo-fi.json',
    name: 'Noisy lo-fi',
    idea: 'the flattest (noisiest) spectra of each class, then the shorter ones',
    weights: { noise: 1, decay: -0.5 },
    variation: 0.3,
    patterns: [
      pattern('Lazy', 88, 60, { [KICK]: 'X... ..x. .x.. ....', [SNARE]: '.... X... .... X...', [CHH]: 'o-o- o-o- o-o- o-o-', [RIM]: '.... .... ..-. ....' }),
    ],
  },
];

const TONAL: TonalRecipe[] = [
  { file: 'deep-bass.json', name: 'Deep bass', idea: 'the darkest and longest of 16 bass seeds', family: 'bass', weights: { bright: -1, decay: 0.5 }, octave: 0 },
  { file: 'bright-piano.json', name: 'Bright piano', idea: 'the brightest of 16 piano seeds', family: 'piano', weights: { bright: 1 }, octave: 0 },
  { file: 'long-pad.json', name: 'Long warm pad', idea: 'the longest, darker synth pads of 16 seeds', family: 'synth-pad', weights: { decay: 1, bright: -0.5 }, octave: 0 },
  { file: 'glass-mallets.json', name: 'Glass mallets', idea: 'the brightest, punchiest chromatic percussion of 16 seeds', family: 'chromatic-percussion', weights: { bright: 1, punch: 0.5 }, octave: 0 },
  { file: 'bright-lead.json', name: 'Bright lead', idea: 'the brightest, longest synth leads of 16 seeds', family: 'synth-lead', weights: { bright: 1, decay: 0.5 }, octave: 0 },
  { file: 'soft-organ.json', name: 'Soft organ', idea: 'the darkest, least punchy organs of 16 seeds', family: 'organ', weights: { bright: -1, punch: -0.5 }, octave: -1 },
];

/** Spread below which a feature counts as constant within a class (log2 units for centroid and decay). */
const SD_FLOOR: Record<Feature, number> = { bright: 0.05, decay: 0.05, punch: 0.01, noise: 0.002 };

/** Per-group z-scores of the features (log centroid and log decay: perceptually even). */
function zScores(group: readonly Candidate[]): Map<string, Record<Feature, number>> {
  const raw = (c: Candidate): Record<Feature, number> => ({ bright: Math.log2(c.brightness), decay: Math.log2(c.decay), punch: c.punch, noise: c.noisiness });
  const feats: Feature[] = ['bright', 'decay', 'punch', 'noise'];
  const stats = feats.map((f) => {
    const xs = group.map((c) => raw(c)[f]);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
    // A feature that does not audibly vary in a class (kicks are never noisy: flatness < 0.001) scores 0 there
    // instead of having its rounding noise blown up to ±2 z.
    return { mean, sd: sd > SD_FLOOR[f] ? sd : Infinity };
  });
  return new Map(group.map((c) => [candidateKey(c), Object.fromEntries(feats.map((f, i) => [f, (raw(c)[f] - stats[i]!.mean) / stats[i]!.sd])) as Record<Feature, number>]));
}

function score(z: Record<Feature, number>, w: Weights): number {
  return (w.bright ?? 0) * z.bright + (w.decay ?? 0) * z.decay + (w.punch ?? 0) * z.punch + (w.noise ?? 0) * z.noise;
}

/** Candidates of a group ranked best-first by a rule (ties: lower seed first, so the order is stable). */
function ranked(group: readonly Candidate[], w: Weights): { c: Candidate; score: number }[] {
  const z = zScores(group);
  return group.map((c) => ({ c, score: score(z.get(candidateKey(c))!, w) })).sort((a, b) => b.score - a.score || a.c.seed - b.c.seed);
}

const hz = (v: number) => `${Math.round(v)} Hz`;
const sec = (v: number) => `${v.toFixed(2)} s`;
const pct = (v: number) => `${Math.round(v * 100)} %`;

function parseThreads(argv: string[]): number {
  const i = argv.indexOf('--threads');
  if (i < 0) return 1;
  const n = Number(argv[i + 1]);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new Error(`--threads: expected an integer 1–64, got "${argv[i + 1] ?? ''}"`);
  return n;
}

async function main(): Promise<void> {
  const threads = parseThreads(process.argv.slice(2));
  const specs: CandidateSpec[] = [
    ...DRUM_CLASSES.flatMap((c) => DRUM_SEEDS.map((seed) => ({ model: 'drums' as const, class: c, seed }))),
    ...Object.entries(TONAL_NOTES).flatMap(([f, pitch]) => TONAL_SEEDS.map((seed) => ({ model: 'tonal' as const, class: f, pitch, seed }))),
  ];
  const cache = await ensureCandidates(specs, { threads });
  const pool = (model: 'drums' | 'tonal', cls: string, pitch?: number) => specs.filter((s) => s.model === model && s.class === cls && s.pitch === pitch).map((s) => cache.get(candidateKey(s))!);

  const base = migratePreset(JSON.parse(await readFile(path.join(repoRoot, 'presets/default-kit.json'), 'utf8')), 'default-kit.json');
  const doc: string[] = [
    '# Factory presets',
    '',
    'Made by `npx tsx scripts/make-presets.ts` (rerun it to reproduce; candidates are cached in `.cache/presets/`).',
    `Candidates: every drum class at seeds ${DRUM_SEEDS[0]}–${DRUM_SEEDS.at(-1)} (${DRUM_SEEDS.length} each) and six GM families at one note each, seeds ${TONAL_SEEDS[0]}–${TONAL_SEEDS.at(-1)},`,
    'generated with the shipped models at their default guidance and steps (the seed sound a pad plays first), on the wasm backend.',
    'Each is measured with `src/dsp/descriptors.ts`: **centroid** (energy-weighted spectral centroid), **decay** (envelope peak to −40 dB, capped at the clip end: 0.73 s drums, 1.47 s tonal),',
    '**punch** (energy share of the first 50 ms) and **noise** (spectral flatness).',
    'A preset is a rule over per-class z-scores (of log centroid, log decay, punch, flatness); each pad takes the best-scoring seed of its class not yet used in the preset,',
    'and the six toms are ordered by centroid so the low floor tom (note 41) is the darkest. `presets/default-kit.json` (v1, hand-picked seeds) stays the default.',
    'The figures depend on the vocoder (Griffin-Lim, src/dsp/vocoder.ts) as well as the model: after changing either, delete `.cache/presets/` and rerun.',
    '',
    '## Candidate pool',
    '',
    '| class | n | centroid (Hz) min–median–max | decay (s) min–median–max | punch min–median–max | noise max |',
    '|---|---|---|---|---|---|',
  ];
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)]!;
  };
  const poolRow = (label: string, g: Candidate[]) => {
    const b = g.map((c) => c.brightness), d = g.map((c) => c.decay), p = g.map((c) => c.punch);
    doc.push(`| ${label} | ${g.length} | ${Math.round(Math.min(...b))}–${Math.round(median(b))}–${Math.round(Math.max(...b))} | ${Math.min(...d).toFixed(2)}–${median(d).toFixed(2)}–${Math.max(...d).toFixed(2)} | ${Math.min(...p).toFixed(2)}–${median(p).toFixed(2)}–${Math.max(...p).toFixed(2)} | ${Math.max(...g.map((c) => c.noisiness)).toFixed(3)} |`);
  };
  for (const c of DRUM_CLASSES) poolRow(c, pool('drums', c));
  for (const [f, n] of Object.entries(TONAL_NOTES)) poolRow(`${f} (MIDI ${n})`, pool('tonal', f, n));

  const written: string[] = [];
  for (const r of KITS) {
    const used = new Map<DrumClass, Set<number>>();
    const picks: { pad: number; c: Candidate; rank: number; score: number }[] = [];
    base.pads.forEach((p, i) => {
      const list = ranked(pool('drums', p.class), r.weights);
      const u = used.get(p.class) ?? new Set<number>();
      const rank = list.findIndex((x) => !u.has(x.c.seed));
      u.add(list[rank]!.c.seed);
      used.set(p.class, u);
      picks.push({ pad: i, c: list[rank]!.c, rank: rank + 1, score: list[rank]!.score });
    });
    // Toms: darkest on the lowest note.
    const tomPads = picks.filter((x) => x.c.class === 'tom').map((x) => x.pad);
    const toms = picks.filter((x) => x.c.class === 'tom').sort((a, b) => a.c.brightness - b.c.brightness);
    tomPads.forEach((pad, j) => (picks[pad] = { ...toms[j]!, pad }));
    const pads: PresetPad[] = base.pads.map((p, i) => ({ ...p, seed: picks[i]!.c.seed, ...(r.mix?.[i] ?? {}) }));
    const kick = picks[KICK]!.c, snare = picks[SNARE]!.c, hat = picks[CHH]!.c;
    const description = `${r.idea[0]!.toUpperCase()}${r.idea.slice(1)}, picked from ${DRUM_SEEDS.length} seeds per class: kick ${hz(kick.brightness)} / ${sec(kick.decay)} / punch ${pct(kick.punch)}, snare ${hz(snare.brightness)} / ${sec(snare.decay)}, closed hat ${hz(hat.brightness)} / ${sec(hat.decay)} (centroid / decay to −40 dB).`;
    const preset: Preset = parsePresetV2(
      { ...structuredClone(base), name: r.name, description, category: 'kit', pads, globals: { ...base.globals, variation: r.variation }, patterns: r.patterns },
      r.file,
    );
    await writeFile(path.join(repoRoot, 'presets', r.file), presetToText(preset));
    written.push(r.file);
    doc.push('', `## ${r.name} (\`presets/${r.file}\`, kit)`, '', `Rule: ${r.idea}; score = ${fmtWeights(r.weights)}. Variation ${pct(r.variation)}; patterns: ${r.patterns.map((p) => `${p.name} (${p.tempo} BPM, swing ${p.swing} %)`).join(', ')}.`, '');
    doc.push('| pad | note | class | seed | rank of 32 | score | centroid | decay | punch | noise |', '|---|---|---|---|---|---|---|---|---|---|');
    for (const x of picks) {
      doc.push(`| ${x.pad + 1} | ${base.pads[x.pad]!.note} | ${x.c.class} | ${x.c.seed} | ${x.rank} | ${x.score.toFixed(2)} | ${hz(x.c.brightness)} | ${sec(x.c.decay)} | ${pct(x.c.punch)} | ${x.c.noisiness.toFixed(3)} |`);
    }
  }

  for (const r of TONAL) {
    const note = TONAL_NOTES[r.family]!;
    const list = ranked(pool('tonal', r.family, note), r.weights);
    const best = list[0]!.c;
    const description = `${r.idea[0]!.toUpperCase()}${r.idea.slice(1)}, auditioned at MIDI ${note}: seed ${best.seed}, centroid ${hz(best.brightness)}, decay ${sec(best.decay)}, punch ${pct(best.punch)}${best.f0 ? `, f0 ${best.f0.toFixed(1)} Hz` : ''}. Pads: the default kit.`;
    const preset: Preset = parsePresetV2(
      {
        ...structuredClone(base),
        name: r.name,
        description,
        category: 'tonal',
        keyboard: { model: '/models/tonal', family: r.family, octave: r.octave, rootSpacing: 3, seed: best.seed },
      },
      r.file,
    );
    await writeFile(path.join(repoRoot, 'presets', r.file), presetToText(preset));
    written.push(r.file);
    doc.push('', `## ${r.name} (\`presets/${r.file}\`, tonal)`, '', `Rule: ${r.idea}; score = ${fmtWeights(r.weights)}. Keyboard: ${r.family}, octave ${r.octave}, root spacing 3 semitones.`, '');
    doc.push('| rank | seed | score | centroid | decay | punch | f0 |', '|---|---|---|---|---|---|---|');
    list.slice(0, 4).forEach((x, i) => doc.push(`| ${i + 1} | ${x.c.seed} | ${x.score.toFixed(2)} | ${hz(x.c.brightness)} | ${sec(x.c.decay)} | ${pct(x.c.punch)} | ${x.c.f0 ? `${x.c.f0.toFixed(1)} Hz` : '–'} |`));
    doc.push(`| … worst (${list.length}) | ${list.at(-1)!.c.seed} | ${list.at(-1)!.score.toFixed(2)} | ${hz(list.at(-1)!.c.brightness)} | ${sec(list.at(-1)!.c.decay)} | ${pct(list.at(-1)!.c.punch)} | ${list.at(-1)!.c.f0 ? `${list.at(-1)!.c.f0!.toFixed(1)} Hz` : '–'} |`);
  }
  await writeFile(path.join(repoRoot, 'docs/presets.md'), `${doc.join('\n')}\n`);
  process.stderr.write(`make-presets: wrote ${written.length} presets (${written.join(', ')}) and docs/presets.md\n`);
}

function fmtWeights(w: Weights): string {
  const names: Record<Feature, string> = { bright: 'z(log centroid)', decay: 'z(log decay)', punch: 'z(punch)', noise: 'z(flatness)' };
  return (Object.entries(w) as [Feature, number][])
    .map(([f, k], i) => `${k < 0 ? (i ? ' − ' : '−') : i ? ' + ' : ''}${Math.abs(k) === 1 ? '' : `${Math.abs(k)}·`}${names[f]}`)
    .join('');
}

main().catch((e: unknown) => {
  process.stderr.write(`make-presets: error: ${(e as Error).message}\n`);
  process.exit(1);
});
