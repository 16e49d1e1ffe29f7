// The freshness check of the prebuilt CLI bundles (cli/bundle.ts, dist/cli/fresh.mjs), which
// bin/vc.mjs imports before anything else: it holds nothing more, so asking costs little.
import { isBundleStale } from '../enclave/index.js';

/**
 * Whether the bundles were built from the sources under `root` as they are now: `bundle` (this
 * file's bundle) is not older than any file listed beside it.
 */
export async function isFresh(root: string, bundle: string): Promise<boolean> {
  return !(await isBundleStale(root, bundle));
}
