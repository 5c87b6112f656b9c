// The one small interface every weight format implements (safetensors, npz, tfjs): encode, recognise, decode.
import type { ComplexMode, ExportFile, RawTensor } from './tensors.ts';

export const WEIGHT_FORMATS = ['safetensors', 'npz', 'tfjs'] as const;
export type WeightFormatName = (typeof WEIGHT_FORMATS)[number];

/** Tensors and string metadata, as a weight file holds them. */
export interface WeightFile {
  tensors: Record<string, RawTensor>;
  metadata: Record<string, string>;
}

export interface WeightFormat {
  name: WeightFormatName;
  /** How this format holds a complex weight (tensors.ts). */
  complex: ComplexMode;
  /** The export's files, named from `base` (a file name without extension). */
  encode(file: WeightFile, base: string): ExportFile[];
  /** Whether `files` are this format's (by their content, not their names). */
  recognises(files: readonly ExportFile[]): boolean;
  /** Decode, refusing a malformed file with an invalid_input error that names it (`what`) and says why. */
  decode(files: readonly ExportFile[], what: string): WeightFile;
}

/** Metadata key naming the format and its version in every weight file the workbench writes. */
export const FORMAT_TAG = 'rnn-workbench-weights-1';
