// The platform plugins by name.
import { fail } from '../errors.js';
import { ccaPlugin } from './cca.js';
import { nitroPlugin } from './nitro.js';
import { psaPlugin } from './psa.js';
import { sevSnpPlugin } from './sevsnp.js';
import { simPlugin } from './sim.js';
import { sgxPlugin, tdxPlugin } from './tdx.js';
import type { PlatformName, PlatformPlugin } from './types.js';

const plugins: Readonly<Record<PlatformName, PlatformPlugin>> = {
  sim: simPlugin,
  psa: psaPlugin,
  nitro: nitroPlugin,
  cca: ccaPlugin,
  sevsnp: sevSnpPlugin,
  tdx: tdxPlugin,
  sgx: sgxPlugin,
};

export function pluginFor(platform: string): PlatformPlugin {
  const plugin = (plugins as Record<string, PlatformPlugin | undefined>)[platform];
  if (!plugin) fail('ERR_ATTESTATION_PLATFORM', `unknown attestation platform "${platform}"`);
  return plugin;
}
