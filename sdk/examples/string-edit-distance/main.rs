//! string-edit-distance (Rust, std only): Levenshtein distance between two texts.
//!
//! Inputs:  /input/hello-world-1.dat, /input/hello-world-2.dat  UTF-8 text
//! Output:  /output/string-edit-distance.dat  one little-endian u32: the least number of
//!          insertions, deletions and substitutions of Unicode scalar values turning one text
//!          into the other. (Veracruz's example printed a Jaro-Winkler similarity instead.)

use std::fs;
use std::process::exit;

fn read_text(path: &str) -> Vec<char> {
    let bytes = fs::read(path).unwrap_or_else(|e| {
        eprintln!("cannot read {}: {}", path, e);
        exit(1)
    });
    match String::from_utf8(bytes) {
        Ok(text) => text.chars().collect(),
        Err(_) => {
            eprintln!("{} is not UTF-8", path);
            exit(1)
        }
    }
}

/// Two-row dynamic programme: memory grows with the shorter text only.
fn levenshtein(a: &[char], b: &[char]) -> u32 {
    let (long, short) = if a.len() >= b.len() { (a, b) } else { (b, a) };
    let mut previous: Vec<u32> = (0..=short.len() as u32).collect();
    let mut current = vec![0u32; short.len() + 1];
    for (i, &lc) in long.iter().enumerate() {
        current[0] = i as u32 + 1;
        for (j, &sc) in short.iter().enumerate() {
            let substitute = previous[j] + if lc == sc { 0 } else { 1 };
            let delete = previous[j + 1] + 1;
            let insert = current[j] + 1;
            current[j + 1] = substitute.min(delete).min(insert);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[short.len()]
}

fn main() {
    let a = read_text("/input/hello-world-1.dat");
    let b = read_text("/input/hello-world-2.dat");
    let distance = levenshtein(&a, &b);
    if let Err(e) = fs::write("/output/string-edit-distance.dat", distance.to_le_bytes()) {
        eprintln!("cannot write /output/string-edit-distance.dat: {}", e);
        exit(1);
    }
}
