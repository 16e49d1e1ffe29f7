// Builds the example component guests (run by scripts/build-components.sh, from the repository root).
//
//   file-digest.component.wasm   the C core modules (also fs-probe) wrapped by jco's preview 1 command adapter
//                                (byte-reproducible: wasm-tools' component new is deterministic)
//   sealed-bid-auction.wasm      guest.js through ComponentizeJS (StarlingMonkey + Wizer)
//
// ComponentizeJS output is NOT byte-reproducible (Wizer snapshots engine state seeded from the
// build's randomness: bytecodealliance/ComponentizeJS#321), so the JS component is rebuilt only when
// its inputs change. Its inputs' digest is kept beside it in `.inputs-sha256`; CI compares that
// digest, and the policy pins the committed bytes by their hash as for any other program.
// `--force` rebuilds it anyway.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = process.cwd();
const nm = join(root, 'node_modules/@bytecodealliance');
const force = process.argv.includes('--force');

async function wrapCoreModule(corePath, outPath) {
  const { componentNew, preview1AdapterCommandPath } = await import('@bytecodealliance/jco');
  const adapter = readFileSync(preview1AdapterCommandPath());
  const component = await componentNew(readFileSync(corePath), [
    ['wasi_snapshot_preview1', adapter],
  ]);
  writeFileSync(outPath, component);
  console.log(`built ${outPath}`);
}

function filesUnder(dir) {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? filesUnder(path) : [path];
    });
}

/** SHA-256 over the JS component's inputs: the guest source, the WIT, and the tool versions. */
function inputsDigest(sourcePath, witDir, componentizeDir) {
  const hash = createHash('sha256');
  for (const path of [sourcePath, ...filesUnder(witDir)]) {
    hash.update(`${path.slice(root.length + 1)}\0`).update(readFileSync(path));
  }
  for (const pkg of [componentizeDir, join(nm, 'jco')]) {
    hash.update(`${JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')).version}\0`);
  }
  return hash.digest('hex');
}

/**
 * ComponentizeJS as jco installs it (0.22, nested under jco by package-lock.json), which finds its
 * WASI shim there; 0.23 would not (its shim is only a devDependency), so the project does not install
 * it. The shim's node filesystem starts without pre-opened directories, so the WIT and sources could
 * not be read: pre-open `/` in both copies.
 */
async function loadComponentize() {
  const shims = ['jco-transpile', 'jco'].map((pkg) =>
    join(nm, pkg, 'node_modules/@bytecodealliance/preview2-shim/dist/nodejs/filesystem.js'),
  );
  for (const shim of shims) (await import(shim))._setPreopens({ '/': '/' });
  const dir = join(nm, 'jco/node_modules/@bytecodealliance/componentize-js');
  const { componentize } = await import(join(dir, 'src/componentize.js'));
  return { componentize, dir };
}

async function buildJsComponent(name) {
  const sourcePath = join(root, 'sdk/components', name, 'guest.js');
  const witDir = join(root, 'sdk/components/wit');
  const outPath = join(root, 'sdk/components', name, `${name}.wasm`);
  const digestPath = `${outPath}.inputs-sha256`;
  const { componentize, dir } = await loadComponentize();
  const digest = inputsDigest(sourcePath, witDir, dir);
  const recorded = existsSync(digestPath) ? readFileSync(digestPath, 'utf8').trim() : '';
  if (!force && recorded === digest && existsSync(outPath)) {
    console.log(`up to date: sdk/components/${name}/${name}.wasm (inputs unchanged)`);
    return;
  }
  const { component } = await componentize({
    sourcePath,
    witPath: witDir,
    worldName: 'command',
    disableFeatures: ['http', 'fetch-event'],
  });
  writeFileSync(outPath, component);
  writeFileSync(digestPath, `${digest}\n`);
  console.log(`built sdk/components/${name}/${name}.wasm`);
}

for (const name of ['file-digest', 'fs-probe']) {
  await wrapCoreModule(
    `sdk/components/${name}/${name}.wasm`,
    `sdk/components/${name}/${name}.component.wasm`,
  );
}
await buildJsComponent('sealed-bid-auction');
