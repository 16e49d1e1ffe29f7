// Veracruz's Person and its postcard encoding, shared by the generator and the reference: a
// HashSet<Person> is its count as a varint, then each person's name and employee_id (postcard
// Strings) and age and grade (one byte each).
import { joinBytes, postcardLength, postcardString } from '../../../protocol/index.js';

export interface Person {
  readonly name: string;
  readonly employeeId: string;
  readonly age: number;
  readonly grade: number;
}

export function encodePeople(people: readonly Person[]): Uint8Array {
  return joinBytes([
    postcardLength(people.length),
    ...people.flatMap((p) => [
      postcardString(p.name),
      postcardString(p.employeeId),
      new Uint8Array([p.age, p.grade]),
    ]),
  ]);
}

export function decodePeople(bytes: Uint8Array): Person[] {
  let at = 0;
  const length = (): number => {
    let value = 0;
    for (let shift = 1; ; shift *= 0x80) {
      const byte = bytes[at++]!;
      value += (byte & 0x7f) * shift;
      if (byte < 0x80) return value;
    }
  };
  const text = (): string => {
    const n = length();
    const value = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(at, at + n));
    at += n;
    return value;
  };
  return Array.from({ length: length() }, () => {
    const name = text();
    const employeeId = text();
    const [age, grade] = [bytes[at++]!, bytes[at++]!];
    return { name, employeeId, age, grade };
  });
}
