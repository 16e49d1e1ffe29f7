//! private-set-intersection (Rust, std only): the people present in both parties' sets, as
//! Veracruz's example.
//!
//! Inputs:  /input/private-set-1.dat, /input/private-set-2.dat  postcard HashSet<Person>: the
//!          count as an unsigned LEB128 varint, then each Person { name: String, employee_id:
//!          String, age: u8, grade: u8 } (a String is its UTF-8 length as a varint, then the
//!          bytes; a u8 is one byte)
//! Output:  /output/private-set.dat  postcard HashSet<Person> of the people in both sets. Its
//!          order is by (name, employee_id, age, grade), bytewise: Veracruz's follows a randomly
//!          seeded hash, so its bytes differ from run to run while the set is the same.
//! A file of another shape (a varint too long or too large, a name that is not UTF-8, a record
//! cut short, bytes left over) is refused with a message and exit code 1.

use std::fs;
use std::process::exit;

/// Name and employee id (UTF-8, borrowed from the input), age, grade.
type Person<'a> = (&'a [u8], &'a [u8], u8, u8);

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    path: &'a str,
}

impl<'a> Reader<'a> {
    fn bad(&self) -> ! {
        eprintln!("{}: not a postcard HashSet<Person>", self.path);
        exit(1)
    }

    fn byte(&mut self) -> u8 {
        let byte = *self.bytes.get(self.at).unwrap_or_else(|| self.bad());
        self.at += 1;
        byte
    }

    /// A usize (u32 on wasm32): at most 5 bytes, the last at most 0x0f.
    fn length(&mut self) -> usize {
        let mut value: u64 = 0;
        for i in 0..5 {
            let byte = self.byte();
            if i == 4 && byte & 0x7f > 0x0f {
                self.bad();
            }
            value |= ((byte & 0x7f) as u64) << (7 * i);
            if byte < 0x80 {
                if value > (self.bytes.len() - self.at) as u64 {
                    self.bad(); // more than what is left could hold
                }
                return value as usize;
            }
        }
        self.bad()
    }

    fn string(&mut self) -> &'a [u8] {
        let length = self.length();
        let bytes = &self.bytes[self.at..self.at + length];
        self.at += length;
        if std::str::from_utf8(bytes).is_err() {
            self.bad();
        }
        bytes
    }
}

fn read(path: &str) -> Vec<u8> {
    fs::read(path).unwrap_or_else(|e| {
        eprintln!("cannot read {}: {}", path, e);
        exit(1)
    })
}

/// The set's people, sorted and each once.
fn read_set<'a>(bytes: &'a [u8], path: &'a str) -> Vec<Person<'a>> {
    let mut reader = Reader { bytes, at: 0, path };
    let mut set = Vec::new();
    for _ in 0..reader.length() {
        let name = reader.string();
        let employee_id = reader.string();
        let age = reader.byte();
        let grade = reader.byte();
        set.push((name, employee_id, age, grade));
    }
    if reader.at != bytes.len() {
        reader.bad();
    }
    set.sort_unstable();
    set.dedup();
    set
}

fn put_length(out: &mut Vec<u8>, mut value: usize) {
    while value >= 0x80 {
        out.push((value & 0x7f) as u8 | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn main() {
    let (first_path, second_path) = ("/input/private-set-1.dat", "/input/private-set-2.dat");
    let (first_bytes, second_bytes) = (read(first_path), read(second_path));
    let first = read_set(&first_bytes, first_path);
    let second = read_set(&second_bytes, second_path);
    let both: Vec<&Person> = first.iter().filter(|p| second.binary_search(p).is_ok()).collect();
    let mut out = Vec::new();
    put_length(&mut out, both.len());
    for (name, employee_id, age, grade) in both {
        put_length(&mut out, name.len());
        out.extend_from_slice(name);
        put_length(&mut out, employee_id.len());
        out.extend_from_slice(employee_id);
        out.push(*age);
        out.push(*grade);
    }
    fs::write("/output/private-set.dat", out).unwrap_or_else(|e| {
        eprintln!("cannot write /output/private-set.dat: {}", e);
        exit(1)
    });
}
