//! private-set-intersection (Rust, std only): the people present in both parties' sets.
//!
//! Inputs:  /input/private-set-1.dat, /input/private-set-2.dat  CSV lines:
//!          name,employee_id,age,grade
//! Output:  /output/private-set.dat  the records present in both inputs, each once, sorted by
//!          byte order, one per line ("\n"-terminated).

use std::collections::{BTreeSet, HashSet};
use std::fs;
use std::process::exit;

fn read_set(path: &str) -> HashSet<String> {
    let bytes = fs::read(path).unwrap_or_else(|e| {
        eprintln!("cannot read {}: {}", path, e);
        exit(1)
    });
    let text = String::from_utf8(bytes).unwrap_or_else(|_| {
        eprintln!("{} is not UTF-8", path);
        exit(1)
    });
    let mut set = HashSet::new();
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        if line.split(',').count() != 4 {
            eprintln!("{}: expected name,employee_id,age,grade but got {:?}", path, line);
            exit(1);
        }
        set.insert(line.to_string());
    }
    set
}

fn main() {
    let first = read_set("/input/private-set-1.dat");
    let second = read_set("/input/private-set-2.dat");
    let common: BTreeSet<&String> = first.intersection(&second).collect();
    let mut out = String::new();
    for record in common {
        out.push_str(record);
        out.push('\n');
    }
    if let Err(e) = fs::write("/output/private-set.dat", out) {
        eprintln!("cannot write /output/private-set.dat: {}", e);
        exit(1);
    }
}
