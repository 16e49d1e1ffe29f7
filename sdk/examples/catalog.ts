// The example guest programs: name, language, committed .wasm, the guest paths each reads and
// writes, a seeded input generator and an independent TypeScript reference. Scenarios, tests and
// benchmarks use this index instead of hard-coding file names. Data formats: docs/guest-programs.md.
import type { Example, ExamplePipeline } from './support/types.js';
import { primes, randomSort } from './pipelines.js';
import { example as aesctrNative } from './aesctr-native/example.js';
import { example as collaborativeTraining } from './collaborative-training/example.js';
import { example as darknetInferenceNative } from './darknet-inference-native/example.js';
import { example as fdCreate } from './fd-create/example.js';
import { example as fileSeek } from './file-seek/example.js';
import { example as generateSet } from './generate-set/example.js';
import { example as huffmanEncoding } from './huffman-encoding/example.js';
import { example as idash2017 } from './idash2017-logistic-regression/example.js';
import { example as imageProcessing } from './image-processing/example.js';
import { example as intersectionSetSum } from './intersection-set-sum/example.js';
import { example as keepPrimes } from './keep-primes/example.js';
import { example as linearRegression } from './linear-regression/example.js';
import { example as postcardWasm } from './postcard-wasm/example.js';
import { example as privatePoll } from './private-poll/example.js';
import { example as logisticRegression } from './logistic-regression/example.js';
import { example as movingAverageConvergenceDivergence } from './moving-average-convergence-divergence/example.js';
import { example as mnistClassifier } from './mnist-classifier/example.js';
import { example as nop } from './nop/example.js';
import { example as objectDetection } from './object-detection/example.js';
import { example as postcardNative } from './postcard-native/example.js';
import { example as numberStreamAccumulation } from './number-stream-accumulation/example.js';
import { example as privateSetIntersectionSum } from './private-set-intersection-sum/example.js';
import { example as privateSetIntersection } from './private-set-intersection/example.js';
import { example as randomSource } from './random-source/example.js';
import { example as randomU32List } from './random-u32-list/example.js';
import { example as readFile } from './read-file/example.js';
import { example as sdkTourC } from './sdk-tour-c/example.js';
import { example as sdkTour } from './sdk-tour/example.js';
import { example as sealedBidAuction } from './sealed-bid-auction/example.js';
import { example as secretElection } from './secret-election/example.js';
import { example as shamirSecretSharing } from './shamir-secret-sharing/example.js';
import { example as sortNumbers } from './sort-numbers/example.js';
import { example as stringEditDistance } from './string-edit-distance/example.js';
import { example as stringSearch } from './string-search/example.js';
import { example as tfliteInferenceNativeMnist } from './tflite-inference-native-mnist/example.js';

export type * from './support/types.js';
export const examples: readonly Example[] = [
  shamirSecretSharing,
  linearRegression,
  intersectionSetSum,
  privateSetIntersection,
  sealedBidAuction,
  privatePoll,
  numberStreamAccumulation,
  randomU32List,
  sortNumbers,
  randomSource,
  stringEditDistance,
  privateSetIntersectionSum,
  movingAverageConvergenceDivergence,
  logisticRegression,
  idash2017,
  generateSet,
  keepPrimes,
  fileSeek,
  fdCreate,
  stringSearch,
  readFile,
  imageProcessing,
  huffmanEncoding,
  postcardWasm,
  mnistClassifier,
  objectDetection,
  nop,
  sdkTour,
  sdkTourC,
  secretElection,
  collaborativeTraining,
];

/**
 * Examples that call native modules through their special files (static ones, and dynamic ones
 * built from their sources): they run where a policy declares those modules (the enclave, `vc run
 * --policy`; a dynamic module also needs its binary built and the native sandbox), so they are
 * tested apart (native-examples.test.ts), through the enclave's runner and as Veracruz's server
 * tests.
 */
export const nativeExamples: readonly Example[] = [
  aesctrNative,
  postcardNative,
  darknetInferenceNative,
  tfliteInferenceNativeMnist,
];

export const pipelines: readonly ExamplePipeline[] = [randomSort, primes];

/** The example called `name`, or an error listing the known names. */
export function exampleNamed(name: string): Example {
  const all = [...examples, ...nativeExamples];
  const found = all.find((example) => example.name === name);
  if (!found) throw new Error(`no example "${name}"; known: ${all.map((e) => e.name).join(', ')}`);
  return found;
}

/** The pipeline called `name`. */
export function pipelineNamed(name: string): ExamplePipeline {
  const found = pipelines.find((pipeline) => pipeline.name === name);
  if (!found)
    throw new Error(`no pipeline "${name}"; known: ${pipelines.map((p) => p.name).join(', ')}`);
  return found;
}
