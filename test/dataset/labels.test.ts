import { describe, expect, it } from 'vitest';
import { DRUM_CLASSES, GM_FAMILIES } from '../../src/constants.js';
import { DRUM_CLASS_INDEX, FAMILY_RANGE, LABEL_OVERRIDES, gmDrumClass, gmFamily, labelDrum } from '../../src/dataset/labels.js';

describe('labelDrum on real Hydrogen instrument names', () => {
  // [kit, instrument name as in its drumkit.xml, expected class]
  const cases: Array<[string, string, string | null]> = [
    ['circAfrique v4', 'Djembe1 Bass', 'perc'],
    ['circAfrique v4', 'Dununba1 Bell', 'perc'],
    ['ForzeeStereo', 'Snare Rimshot (Pearl Free Floating Maple 14x3.5)', 'snare'],
    ['The Black Pearl 1.0', 'Pearl Snare Rimshot', 'snare'],
    ['ForzeeStereo', 'Rim Click (Pearl Free Floating Maple 14x3.5)', 'rim'],
    ['The Black Pearl 1.0', 'Pearl Side Stick', 'rim'],
    ['ForzeeStereo', 'Hi-Hat Semiopen (Paiste Alpha Metal edge 14")', 'open-hat'],
    ['The Black Pearl 1.0', 'Sabian Hat Semi-Open', 'open-hat'],
    ['BJA_Pacific', 'Hi Hat Free', 'open-hat'],
    ['VariBreaks', 'VariBreaks Hat 1 Op', 'open-hat'],
    ['Audiophob', 'Pedal HH', 'closed-hat'],
    ['ForzeeStereo', 'Hi-Hat Pedal (Paiste Alpha Metal edge 14")', 'closed-hat'],
    ['VariBreaks', 'VariBreaks Hat 1 Pd', 'closed-hat'],
    ['ForzeeStereo', 'Kick (Tama Superstar 22")', 'kick'],
    ['BJA_Pacific', 'BassDrum', 'kick'],
    ['ElectricEmpireKit', 'Kick Stomp', 'kick'], // "stomp" contains "tom"
    ['rumpf_kit_z01_h2', 'c3 - bass drum 1', 'kick'], // not "drum <n>" percussion
    ['ForzeeStereo', 'Crash/Ride Bow (Paiste Rude Crash/Ride 18")', 'ride'], // override
    ['ForzeeStereo', 'Crash/Ride (Paiste Rude Crash/Ride 18")', 'crash'],
    ['ForzeeStereo', 'Ride (Custom, Zagrebin 22")', 'ride'], // "Custom" contains "tom"
    ['ForzeeStereo', 'Ride Bell (Custom, Zagrebin 22")', 'ride'],
    ['The Black Pearl 1.0', 'Paiste Bell', 'ride'],
    ['Audiophob', 'Cowbell', 'perc'],
    ['rumpf_kit_z01_h2', 'g#4 - cowbell', 'perc'],
    ['ForzeeStereo', 'Tambourine Pedal (Pearl PTM-10GH)', 'perc'],
    ['Gimme A Hand 1.0', 'Finger Snaps', 'clap'],
    ['Audiophob', 'Hand Clap', 'clap'],
    ['BJA_Pacific', 'Floor Tom', 'tom'],
    ['ColomboAcousticDrumkit', 'tomhi2', 'tom'],
    ['ColomboAcousticDrumkit', 'ride-crash20inch', 'ride'], // override
    ['ColomboAcousticDrumkit', 'redo super opaco', 'snare'], // override
    ['ForzeeStereo', 'China (Paiste Alpha 18")', 'crash'],
    ['The Black Pearl 1.0', 'Zildjian Splash Choke', 'crash'],
    ['The Black Pearl 1.0', 'Sabian Hat Choke', 'closed-hat'],
    ['HardElectro1', 'Side OHH', 'open-hat'],
    ['HardElectro1', 'Zap 1', 'perc'],
    ['ElectricEmpireKit', 'Click', 'perc'],
    ['VariBreaks', 'VariBreaks Drum 1', 'perc'],
    ['BJA_Pacific', '15', null],
    ['rumpf_kit_z01_h2', 'Sample: beats_01-39.flac', null],
    ['Millo_MultiLayered3', '', null],
  ];
  for (const [kit, name, want] of cases) {
    it(`${kit} / ${name || '(empty)'} → ${want}`, () => expect(labelDrum(kit, name)).toBe(want));
  }

  it('every override names a real class or null', () => {
    for (const v of Object.values(LABEL_OVERRIDES)) if (v !== null) expect(DRUM_CLASSES).toContain(v);
  });
});

describe('GM maps', () => {
  it('gmDrumClass follows the GM percussion key map', () => {
    const want: Record<number, string | undefined> = {
      34: undefined, 35: 'kick', 36: 'kick', 37: 'rim', 38: 'snare', 39: 'clap', 40: 'snare', 41: 'tom', 42: 'closed-hat',
      43: 'tom', 44: 'closed-hat', 45: 'tom', 46: 'open-hat', 47: 'tom', 48: 'tom', 49: 'crash', 50: 'tom', 51: 'ride',
      52: 'crash', 53: 'ride', 54: 'perc', 55: 'crash', 56: 'perc', 57: 'crash', 58: 'perc', 59: 'ride', 60: 'perc',
      81: 'perc', 82: undefined,
    };
    for (const [note, cls] of Object.entries(want)) expect(gmDrumClass(Number(note)), `note ${note}`).toBe(cls);
  });

  it('gmFamily groups programs by 8 and rejects out-of-range programs', () => {
    expect(gmFamily(0)).toBe('piano');
    expect(gmFamily(7)).toBe('piano');
    expect(gmFamily(8)).toBe('chromatic-percussion');
    expect(gmFamily(33)).toBe('bass');
    expect(gmFamily(40)).toBe('strings');
    expect(gmFamily(127)).toBe('sound-effects');
    expect(() => gmFamily(128)).toThrow(/out of range/);
    expect(() => gmFamily(-1)).toThrow(/out of range/);
  });

  it('FAMILY_RANGE covers every family with a sane range; DRUM_CLASS_INDEX follows DRUM_CLASSES', () => {
    for (const f of GM_FAMILIES) {
      const [lo, hi] = FAMILY_RANGE[f];
      expect(lo).toBeGreaterThanOrEqual(0);
      expect(hi).toBeLessThanOrEqual(127);
      expect(hi - lo).toBeGreaterThanOrEqual(12);
    }
    DRUM_CLASSES.forEach((c, i) => expect(DRUM_CLASS_INDEX[c]).toBe(i));
  });
});
