// Digests a parsed policy into the plain view the enclave machine decides with (machines import no
// parser): identities and their rights, program paths (provisioned native binaries included), each
// pipeline's programs, file hashes and the shutdown rule.
import type { PolicyView } from '../../machines/index.js';
import { parsePipeline, pipelinePrograms, type Policy } from '../../protocol/index.js';

export function policyViewOf(policy: Policy): PolicyView {
  return {
    participants: policy.identities.map((identity) => ({
      id: identity.id,
      rights: identity.fileRights.map((r) => ({ path: r.path, rights: r.rights })),
    })),
    // What may run: the programs, and provisioned native modules' binaries (docs/policy.md).
    programs: [
      ...policy.programs.map((p) => p.programFileName),
      ...policy.nativeModules.flatMap((m) =>
        m.type.kind === 'provisioned' ? [m.type.entryPoint] : [],
      ),
    ],
    pipelines: policy.pipelines.map((p) => ({
      name: p.name,
      programs: pipelinePrograms(parsePipeline(p.pipeline)),
    })),
    fileHashes: Object.fromEntries(policy.fileHashes.map((h) => [h.filePath, h.hash])),
    shutdown: policy.extensions.shutdown ?? { rule: 'any' },
  };
}
