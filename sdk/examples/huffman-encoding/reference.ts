// Reference for huffman-encoding: the tree rule of main.c, built by re-sorting a node list.
import { files, need, type ExampleRun, type GuestFiles } from '../support/types.js';

interface HuffNode {
  readonly weight: number;
  readonly rank: number;
  readonly byte?: number;
  readonly zero?: HuffNode;
  readonly one?: HuffNode;
}

function codes(text: Uint8Array): Map<number, string> {
  const counts = new Map<number, number>();
  for (const byte of text) counts.set(byte, (counts.get(byte) ?? 0) + 1);
  let nodes: HuffNode[] = [...counts].map(([byte, weight]) => ({ weight, rank: byte, byte }));
  for (let rank = 256; nodes.length > 1; rank++) {
    nodes.sort((a, b) => a.weight - b.weight || a.rank - b.rank);
    const [zero, one, ...rest] = nodes as [HuffNode, HuffNode, ...HuffNode[]];
    nodes = [...rest, { weight: zero.weight + one.weight, rank, zero, one }];
  }
  const table = new Map<number, string>();
  const walk = (node: HuffNode, prefix: string): void => {
    if (node.byte !== undefined) table.set(node.byte, prefix === '' ? '0' : prefix);
    if (node.zero) walk(node.zero, `${prefix}0`);
    if (node.one) walk(node.one, `${prefix}1`);
  };
  if (nodes[0]) walk(nodes[0], '');
  return table;
}

export function reference(run: ExampleRun): GuestFiles {
  const text = need(run, '/input/hello-world-1.dat');
  const table = codes(text);
  const encoded = Array.from(text, (byte) => table.get(byte) ?? '').join('');
  const out = Buffer.concat([Buffer.from(`${encoded}\n\n`, 'latin1'), Buffer.from(text)]);
  return files([['/output/encoded_output.dat', new Uint8Array(out)]]);
}
