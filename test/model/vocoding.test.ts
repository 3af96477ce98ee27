/**
 * config.json's vocoder block (the harmonic prior for pitched classes):
 * validation with one-line errors, the options each request gets, and the
 * request's class and note reaching the vocoder from Generator and
 * OneShotSynth alike.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signalLength } from '../../src/dsp/config.js';
import { OneShotSynth } from '../../src/engine/synth.js';
import { validateModelConfig, type ModelConfig } from '../../src/model/config.js';
import { Generator } from '../../src/model/generator.js';
import { nodeReader } from '../../src/model/reader-node.js';
import { vocoderOptionsFor } from '../../src/model/vocoding.js';
import { randomWeights, tinyConfig, writeModelDir } from './helpers.js';

const PRIOR = { floor: 0.05, maxHz: 4000, lobeBins: 2 };
const withVocoder = (kind: 'drums' | 'tonal', vocoder: unknown) => {
  const o = structuredClone(tinyConfig(kind)) as unknown as Record<string, unknown>;
  o['vocoder'] = vocoder;
  return o;
};
const validate = (vocoder: unknown, kind: 'drums' | 'tonal' = 'tonal') => () => validateModelConfig(withVocoder(kind, vocoder), 'models/tonal/config.json');

describe('vocoder.harmonicPrior in config.json', () => {
  it('is optional and kept as given when valid', () => {
    expect(validateModelConfig(structuredClone(tinyConfig('tonal'))).vocoder).toBeUndefined();
    const cfg = validate({ harmonicPrior: { ...PRIOR, exceptClasses: ['percussive', 'sound-effects'] } })();
    expect(cfg.vocoder).toEqual({ harmonicPrior: { ...PRIOR, exceptClasses: ['percussive', 'sound-effects'] } });
    expect(validate({ harmonicPrior: PRIOR })().vocoder!.harmonicPrior!.exceptClasses).toEqual([]);
  });

  it('rejects bad settings with one line naming the file and the field', () => {
    expect(validate({ harmonicPrior: { ...PRIOR, floor: 0 } })).toThrow(/^models\/tonal\/config\.json: vocoder\.harmonicPrior\.floor: expected a number in \(0, 1\], got 0$/);
    expect(validate({ harmonicPrior: { ...PRIOR, maxHz: '4k' } })).toThrow(/^models\/tonal\/config\.json: vocoder\.harmonicPrior\.maxHz: expected a frequency > 0 Hz, got "4k"$/);
    expect(validate({ harmonicPrior: { floor: 0.1, maxHz: 4000 } })).toThrow(/vocoder\.harmonicPrior\.lobeBins: expected a number in 0\.5–8, got undefined$/);
    expect(validate({ harmonicPrior: { ...PRIOR, exceptClasses: ['drums'] } })).toThrow(/vocoder\.harmonicPrior\.exceptClasses\[0\]: unknown class "drums" \(one of piano, /);
    expect(validate({ harmonicPrior: { ...PRIOR, exceptClasses: 'percussive' } })).toThrow(/vocoder\.harmonicPrior\.exceptClasses: expected an array of class names, got "percussive"$/);
    expect(validate({ griffinLim: 64 })).toThrow(/^models\/tonal\/config\.json: vocoder\.griffinLim: unknown setting \(known: harmonicPrior\)$/);
    expect(validate([1])).toThrow(/vocoder: expected an object, got \[1\]$/);
    expect(validate({ harmonicPrior: PRIOR }, 'drums')).toThrow(/vocoder\.harmonicPrior: set on a model without a pitch condition/);
  });
});

describe('vocoderOptionsFor', () => {
  const cfg = validate({ harmonicPrior: { ...PRIOR, exceptClasses: ['sound-effects'] } })();
  it('turns the prior on for a pitched request of a class not excepted, and only then', () => {
    expect(vocoderOptionsFor(cfg, 60, 'piano')).toEqual({ pitch: 60, harmonicPrior: PRIOR });
    expect(vocoderOptionsFor(cfg, 60, 'sound-effects')).toEqual({ pitch: 60 });
    expect(vocoderOptionsFor(cfg, undefined, 'piano')).toEqual({ pitch: undefined });
    expect(vocoderOptionsFor({}, 60, 'piano')).toEqual({ pitch: 60 });
  });
});

describe('the request reaches the vocoder', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'vocoding-test-'));
  const dir = path.join(root, 'tonal');
  const cfg: ModelConfig = { ...tinyConfig('tonal'), vocoder: { harmonicPrior: { ...PRIOR, exceptClasses: [] } } };
  beforeAll(async () => {
    expect(await tf.setBackend('cpu')).toBe(true);
    writeModelDir(dir, cfg, randomWeights(cfg, 12));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('with its family and note, from the Generator and the engine synth alike', async () => {
    const heard: Array<[number | undefined, string | undefined]> = [];
    const vocoder = (_f: Float32Array, c: ModelConfig['representation'], pitch?: number, cls?: string) => {
      heard.push([pitch, cls]);
      return new Float32Array(signalLength(c));
    };
    const gen = await Generator.load(nodeReader(dir), { vocoder });
    const synth = await OneShotSynth.load(nodeReader(dir), { vocoder });
    try {
      expect(gen.config.vocoder?.harmonicPrior?.floor).toBe(0.05);
      await gen.generate([{ family: 'organ', pitch: 64, seed: 1 }, { family: 'bass', pitch: 62, seed: 2 }]);
      await synth.generate([{ family: 'organ', pitch: 64, seed: 1 }]);
      expect(heard).toEqual([[64, 'organ'], [62, 'bass'], [64, 'organ']]);
    } finally {
      gen.dispose();
      synth.dispose();
    }
  });
});
