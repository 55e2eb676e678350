/**
 * The formats of a model folder that more than one stage reads: the storage of its weights and the
 * `metadata.json` written beside `model.json`.
 *
 * @module
 */

/** How weights are stored in an exported graph model. */
export type Quantization = "none" | "float16" | "uint16" | "uint8";

/** What `metadata.json` beside an exported `model.json` says, so an app needs nothing else. */
export interface ModelMetadata {
  /** The model's name (`digits_cnn`). */
  name: string;
  /** `graph-model` or `layers-model`. */
  format: string;
  /** The input tensor: name in the signature, shape of one image `[1, 28, 28, 1]`, dtype. */
  input: { name: string; shape: number[]; dtype: string };
  /** The output tensor: name in the signature, shape `[1, 10]`, what its values are. */
  output: { name: string; shape: number[]; dtype: string; activation: string };
  /** How pixels become inputs: `value = pixel × scale + offset`, ink bright on black. */
  normalization: { scale: number; offset: number; ink: "light-on-dark"; description: string };
  /** The steps a photo needs before it is fed to the model, in order. */
  preprocessing: string[];
  /** Class names, index = output position (`"0"` … `"9"`). */
  labels: string[];
  /** Quantization of the weights: the default and any per-layer override. */
  quantization: { default: Quantization; perLayer: Record<string, Quantization> };
  /** Training metrics copied from the run's `metrics.json`, or `null` when there was none. */
  training: Record<string, unknown> | null;
  /** The tfjs version that wrote the model. */
  tfjsVersion: string;
  /** Where the layers model came from. */
  source: string;
  /** When the export was written (ISO 8601). */
  createdAt: string;
}
