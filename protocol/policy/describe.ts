// A plain description of who may do what under a policy: the rows `vc policy check` prints.
import { commonNameOf, parseCertificatePem } from '../identity/certificates.js';
import { formatRights } from './rights.js';
import type { Policy, RightsTable } from './types.js';

export interface PrincipalRow {
  readonly kind: 'participant' | 'program' | 'pipeline';
  /** `#0 alice` for participants, the path for programs, the name for pipelines. */
  readonly label: string;
  readonly rights: readonly {
    readonly path: string;
    readonly rights: number;
    readonly text: string;
  }[];
}

function rows(table: RightsTable): PrincipalRow['rights'] {
  return table.map((entry) => ({
    path: entry.path,
    rights: entry.rights,
    text: formatRights(entry.rights),
  }));
}

function participantLabel(id: number, pem: string): string {
  try {
    const name = commonNameOf(parseCertificatePem(pem));
    return name ? `#${id} ${name}` : `#${id}`;
  } catch {
    return `#${id}`;
  }
}

export function describePrincipals(policy: Policy): PrincipalRow[] {
  return [
    ...policy.identities.map((identity) => ({
      kind: 'participant' as const,
      label: participantLabel(identity.id, identity.certificate),
      rights: rows(identity.fileRights),
    })),
    ...policy.programs.map((program) => ({
      kind: 'program' as const,
      label: program.programFileName,
      rights: rows(program.fileRights),
    })),
    ...policy.pipelines.map((pipeline) => ({
      kind: 'pipeline' as const,
      label: JSON.stringify(pipeline.name),
      rights: rows(pipeline.fileRights),
    })),
  ];
}

/** The rows as an aligned text table: one line per (principal, path). */
export function formatPrincipalTable(principalRows: readonly PrincipalRow[]): string {
  const lines: string[][] = [['principal', '', 'path', 'rights']];
  for (const row of principalRows) {
    if (row.rights.length === 0) lines.push([row.kind, row.label, '(nothing)', '']);
    row.rights.forEach((right, index) => {
      lines.push(
        index === 0
          ? [row.kind, row.label, right.path, right.text]
          : ['', '', right.path, right.text],
      );
    });
  }
  const widths = [0, 1, 2].map((column) =>
    Math.max(...lines.map((line) => (line[column] ?? '').length)),
  );
  return lines
    .map((line) =>
      line
        .map((cell, column) => (column < 3 ? cell.padEnd(widths[column] ?? 0) : cell))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
    .concat(
      '\n(r = read, w = write, x = execute: Veracruz shorthands; a number is a raw WASI rights set)',
    );
}
