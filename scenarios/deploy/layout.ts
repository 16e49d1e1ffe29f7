// Where a deployed scenario keeps its files (one directory shared by the processes, or a volume
// shared by the containers): the policy, the parties' identities, their sources and results, and
// the verifier's CA, state store and the sim platform key the hosts attest with.
import { join } from 'node:path/posix';

export interface Layout {
  readonly dir: string;
  readonly policy: string;
  readonly plan: string;
  readonly caCertificate: string;
  readonly caKey: string;
  readonly verifierStore: string;
  readonly simKey: string;
  certificate(party: string): string;
  key(party: string): string;
  source(party: string, label: string): string;
  result(party: string, label: string): string;
}

export function layoutOf(dir: string): Layout {
  return {
    dir,
    policy: join(dir, 'policy.json'),
    plan: join(dir, 'plan.json'),
    caCertificate: join(dir, 'verifier', 'ca.crt.pem'),
    caKey: join(dir, 'verifier', 'ca.key.pem'),
    verifierStore: join(dir, 'verifier', 'state.json'),
    simKey: join(dir, 'host', 'sim-platform-key.pem'),
    certificate: (party) => join(dir, 'keys', `${party}.crt.pem`),
    key: (party) => join(dir, 'keys', `${party}.key.pem`),
    source: (party, label) => join(dir, 'data', party, label),
    result: (party, label) => join(dir, 'results', party, label),
  };
}
