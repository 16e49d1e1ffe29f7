// The house rules of docs/architecture.md ("Layers and faces"), as an ESLint plugin:
// - `house/layers`: production code imports only from its own folder or from a lower layer;
// - `house/faces`: across top-level folders, code imports a folder's public face (`index.ts`), never
//   a file inside it; `testing/` faces and `test-support/` serve tests and benchmarks only;
// - `house/no-cycle`: no import cycle between source files.
// The rules read import specifiers as text (relative ones only: packages are not ours to layer).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, posix, relative, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '../..');

/** Lower rank = lower layer. A folder may import folders of strictly lower rank. */
const LAYERS = {
  protocol: 0,
  sdk: 1,
  machines: 1,
  transport: 1,
  // Layer 1b: the verifier keeps its state in transport's revisioned stores (transport/store/).
  attestation: 1.5,
  enclave: 2,
  actors: 3,
  scenarios: 4,
  cli: 5,
  bin: 6,
  bench: 6,
  scripts: 6,
  'test-support': 6,
};

const repoPath = (file) => relative(root, resolve(file)).split('\\').join('/');
const topOf = (path) => path.split('/')[0];

/** Tests, benchmarks and test helpers sit above every layer and may reach any face. */
function isTestCode(path) {
  return (
    /\.test\.(ts|mjs)$/.test(path) ||
    path.includes('/testing/') ||
    ['test-support', 'bench', 'scripts'].includes(topOf(path))
  );
}

function resolveSpecifier(fromPath, spec) {
  const joined = posix.normalize(posix.join(posix.dirname(fromPath), spec));
  if (joined.endsWith('.js') && !existsSync(join(root, joined))) return joined.slice(0, -3) + '.ts';
  return joined;
}

function isFace(target) {
  const parts = target.split('/');
  return (parts.length === 2 && /^index\.(ts|mjs)$/.test(parts[1])) || isTestingFace(target);
}
const isTestingFace = (target) => /^[^/]+\/testing\/index\.ts$/.test(target);

const specifierRe =
  /(?:import|export)\s[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\s*\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)|^\s*import\s+['"](\.{1,2}\/[^'"]+)['"]/gm;

let graph;
function buildGraph() {
  graph = new Map();
  const walk = (dir) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const path = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) {
        const text = readFileSync(join(root, path), 'utf8');
        graph.set(
          path,
          [...text.matchAll(specifierRe)].map((m) => resolveSpecifier(path, m[1] ?? m[2] ?? m[3])),
        );
      }
    }
  };
  walk('');
}

/** The import chain from `start` back to `goal`, or undefined. */
function pathBetween(start, goal) {
  const seen = new Set();
  const stack = [[start, [start]]];
  while (stack.length > 0) {
    const [node, chain] = stack.pop();
    if (node === goal) return chain;
    if (seen.has(node)) continue;
    seen.add(node);
    for (const next of graph.get(node) ?? []) stack.push([next, [...chain, next]]);
  }
  return undefined;
}

function importVisitors(check) {
  const visit = (node) => {
    const source = node.source;
    if (
      source &&
      source.type === 'Literal' &&
      typeof source.value === 'string' &&
      source.value.startsWith('.')
    )
      check(node, source.value);
  };
  return {
    ImportDeclaration: visit,
    ExportNamedDeclaration: visit,
    ExportAllDeclaration: visit,
    ImportExpression: visit,
  };
}

const layers = {
  meta: {
    type: 'problem',
    messages: {
      upward:
        "'{{from}}' is in layer {{fromRank}} and may not import '{{to}}' (layer {{toRank}}): dependencies point down (docs/architecture.md).",
    },
  },
  create(context) {
    const from = repoPath(context.filename);
    if (isTestCode(from)) return {};
    return importVisitors((node, spec) => {
      const to = resolveSpecifier(from, spec);
      const a = topOf(from);
      const b = topOf(to);
      if (a === b || !(b in LAYERS) || !(a in LAYERS)) return;
      if (LAYERS[b] >= LAYERS[a])
        context.report({
          node,
          messageId: 'upward',
          data: { from: a, to: b, fromRank: LAYERS[a], toRank: LAYERS[b] },
        });
    });
  },
};

const faces = {
  meta: {
    type: 'problem',
    messages: {
      deep: "Import '{{to}}' through its folder's public face '{{face}}', not a file inside it (docs/architecture.md).",
      testOnly: "'{{to}}' serves tests and benchmarks only.",
      ownFace: "Inside '{{folder}}/', import the file itself, not the folder's own face.",
    },
  },
  create(context) {
    const from = repoPath(context.filename);
    return importVisitors((node, spec) => {
      const to = resolveSpecifier(from, spec);
      const a = topOf(from);
      const b = topOf(to);
      if (!(b in LAYERS)) return;
      if (
        (b === 'test-support' || isTestingFace(to) || to.includes('/testing/')) &&
        !isTestCode(from)
      ) {
        context.report({ node, messageId: 'testOnly', data: { to } });
        return;
      }
      if (a === b) {
        if (to === `${a}/index.ts` && a !== 'bin')
          context.report({ node, messageId: 'ownFace', data: { folder: a } });
        return;
      }
      if (['test-support', 'scripts', 'bench', 'bin'].includes(b)) return;
      if (!isFace(to))
        context.report({ node, messageId: 'deep', data: { to, face: `${b}/index.ts` } });
    });
  },
};

const noCycle = {
  meta: { type: 'problem', messages: { cycle: 'Import cycle: {{chain}}.' } },
  create(context) {
    if (!graph) buildGraph();
    const from = repoPath(context.filename);
    return importVisitors((node, spec) => {
      const to = resolveSpecifier(from, spec);
      const chain = pathBetween(to, from);
      if (chain)
        context.report({
          node,
          messageId: 'cycle',
          data: { chain: [from, ...chain].join(' -> ') },
        });
    });
  },
};

export default { meta: { name: 'house' }, rules: { layers, faces, 'no-cycle': noCycle } };
