// Collaborative training among three hospitals. Each provisions its own patients' rows (four
// correlated measurements and an outcome, from the example's generator: one shared risk model, but
// each hospital its own kind of patients and its own size, the smallest only a few dozen rows),
// split into training rows and held-out rows. A research consortium provides the training program
// and runs it: one logistic regression on the union of the training rows. Every hospital reads the
// model and its accuracy on its own held-out rows, and nothing else: no hospital reads another's
// rows or another's accuracy. The check trains the same model in TypeScript on the same union, and
// each hospital's model on its rows alone, to show what collaborating gained each of them.
import { exampleNamed, partiesOf, readF64s, rowsOf, score, train } from '../../sdk/index.js';
import type { PartyResults, Scenario, Turn, Verdict } from '../scenario.js';
import { exampleProgram, programPath, sameBytes, show, sourceMap } from './support.js';

const PROGRAM = 'collaborative-training';
/** Training rows of the largest hospital; the others get a third and a twenty-fifth of it. */
const SIZE = 400;
const MODEL = '/output/model.dat';
const TOLERANCE = 1e-9;
const trainPath = (h: string): string => `/input/train-${h}.dat`;
const heldOutPath = (h: string): string => `/input/held-out-${h}.dat`;
const accuracyPath = (h: string): string => `/output/accuracy-${h}.dat`;
const percent = (right: number, rows: number): string =>
  `${((100 * right) / Math.max(rows, 1)).toFixed(1)}%`;

export const collaborativeTraining: Scenario = {
  name: 'collaborative-training',
  title: 'Collaborative training (three hospitals, logistic regression)',
  summary:
    'Three hospitals of different sizes each provision private patient rows; the enclave trains ' +
    'one logistic regression on their union. Each hospital reads the model and its accuracy on ' +
    "its own held-out rows, never another's rows; the check shows what each gained over training alone.",
  plan(seed) {
    const example = exampleNamed(PROGRAM);
    const run = example.generate(seed, SIZE);
    const hospitals = partiesOf(run);
    const program = exampleProgram(PROGRAM, ['/input/:r', '/output/:w']);
    const read = (party: string): Turn => ({
      party,
      steps: [
        { op: 'result', path: MODEL, destination: 'model' },
        { op: 'result', path: accuracyPath(party), destination: 'accuracy' },
      ],
    });
    return {
      parties: [
        {
          name: 'consortium',
          role: 'provides the training program, runs it, reads the model',
          capabilities: ['/program/:wx', `${MODEL}:r`],
        },
        ...hospitals.map((h) => ({
          name: h,
          role: `provisions ${rowsOf(run.files.get(trainPath(h))).length} training and ${rowsOf(run.files.get(heldOutPath(h))).length} held-out rows, reads the model and its own accuracy`,
          capabilities: [
            `${trainPath(h)}:w`,
            `${heldOutPath(h)}:w`,
            `${MODEL}:r`,
            `${accuracyPath(h)}:r`,
          ],
        })),
      ],
      programs: [program],
      rounds: [
        [
          {
            party: 'consortium',
            steps: [{ op: 'program', path: program.path, source: 'wasm' }],
          },
          ...hospitals.map((party): Turn => ({
            party,
            steps: [
              { op: 'data', path: trainPath(party), source: 'train', mode: 'write' },
              { op: 'data', path: heldOutPath(party), source: 'held-out', mode: 'write' },
            ],
          })),
        ],
        [
          {
            party: 'consortium',
            steps: [
              { op: 'compute', program: programPath(PROGRAM) },
              { op: 'result', path: MODEL, destination: 'model' },
            ],
          },
        ],
        hospitals.map(read),
        [{ party: 'consortium', steps: [{ op: 'shutdown' }] }],
      ],
      sources: sourceMap({
        consortium: { wasm: program.wasm },
        ...Object.fromEntries(
          hospitals.map((h) => [
            h,
            { train: run.files.get(trainPath(h))!, 'held-out': run.files.get(heldOutPath(h))! },
          ]),
        ),
      }),
      decode: (_party, label, bytes) => {
        const values = readF64s(bytes);
        if (label === 'model') return { bias: values[0], weights: values.slice(1) };
        const [heldOut = 0, correct = 0] = values;
        return { heldOut, correct, accuracy: correct / Math.max(heldOut, 1) };
      },
      check: (results) => checkTraining(results, hospitals, (h) => run.files.get(h)),
    };
  },
};

function checkTraining(
  results: PartyResults,
  hospitals: readonly string[],
  file: (path: string) => Uint8Array | undefined,
): Verdict {
  const details: string[] = [];
  const union = train(hospitals.flatMap((h) => rowsOf(file(trainPath(h)))));
  const model = results.get('consortium')?.get('model');
  if (!model) return { ok: false, headline: 'the consortium read no model', details: [] };
  const weights = readF64s(model);
  if (weights.length !== union.length)
    details.push(`the model has ${weights.length} values, not ${union.length}`);
  weights.forEach((w, i) => {
    const want = union[i]!;
    if (!(Math.abs(w - want) <= TOLERANCE * Math.max(1, Math.abs(want))))
      details.push(
        `model value ${i} is ${w}, the TypeScript reference trained on the union gives ${want}`,
      );
  });
  const lines: string[] = [];
  const short: string[] = [];
  for (const h of hospitals) {
    const mine = results.get(h);
    const copy = mine?.get('model');
    if (!copy || !sameBytes(copy, model))
      details.push(`${h} read another model: ${show(copy ?? new Uint8Array())}`);
    const accuracy = mine?.get('accuracy');
    const heldOut = rowsOf(file(heldOutPath(h)));
    // The enclave's count must be exactly the enclave model's score on these rows.
    const [rows, right] = score(weights, heldOut);
    const [readRows = -1, readRight = -1] = accuracy ? readF64s(accuracy) : [];
    if (readRows !== rows || readRight !== right)
      details.push(
        `${h} read accuracy ${readRight}/${readRows}, the model scores ${right}/${rows} on its held-out rows`,
      );
    const [, alone] = score(train(rowsOf(file(trainPath(h)))), heldOut);
    const [, reference] = score(union, heldOut);
    if (reference !== right)
      details.push(
        `${h}: the reference model scores ${reference}/${rows}, the enclave's ${right}/${rows}`,
      );
    const gain = (100 * (right - alone)) / Math.max(rows, 1);
    short.push(`${h} ${percent(right, rows)} (alone ${percent(alone, rows)})`);
    lines.push(
      `${h}: ${percent(right, rows)} with the union's model, ${percent(alone, rows)} trained alone (${gain >= 0 ? '+' : ''}${gain.toFixed(1)} points) on ${rows} held-out rows`,
    );
  }
  if (details.length > 0) return { ok: false, headline: 'the trained model is wrong', details };
  return {
    ok: true,
    headline: `one model trained on the union; held-out accuracy ${short.join(', ')}`,
    details: [
      ...lines,
      `the model equals the TypeScript reference trained on the same union (within ${TOLERANCE})`,
    ],
  };
}
