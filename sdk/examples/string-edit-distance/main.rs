//! string-edit-distance (Rust, with Debian's strsim 0.10.0, the crate and version Veracruz's
//! example uses): the Jaro-Winkler similarity of two texts, as Veracruz's example.
//!
//! Inputs:  /input/hello-world-1.dat, /input/hello-world-2.dat  UTF-8 text
//! Output:  /output/string-edit-distance.dat  postcard f64: strsim::jaro_winkler of the two texts
//!          (over Unicode scalar values; 1.0 for two equal texts, 0.0 when nothing matches), as
//!          8 little-endian bytes.
//! An input that is not UTF-8 (or is missing) is refused with a message on stderr and exit code
//! 1: nothing is written.

use std::fs;
use std::process::exit;

fn read_text(path: &str) -> String {
    let bytes = fs::read(path).unwrap_or_else(|e| {
        eprintln!("cannot read {}: {}", path, e);
        exit(1)
    });
    String::from_utf8(bytes).unwrap_or_else(|e| {
        eprintln!("{} is not UTF-8: {}", path, e);
        exit(1)
    })
}

fn main() {
    let left = read_text("/input/hello-world-1.dat");
    let right = read_text("/input/hello-world-2.dat");
    let similarity: f64 = strsim::jaro_winkler(&left, &right);
    // postcard writes an f64 as its 8 little-endian bytes.
    if let Err(e) = fs::write("/output/string-edit-distance.dat", similarity.to_le_bytes()) {
        eprintln!("cannot write /output/string-edit-distance.dat: {}", e);
        exit(1)
    }
}
