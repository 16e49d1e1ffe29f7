//! generate-set (Rust, std only): writes the numbers 2..=LIMIT, the first stage of the primes
//! pipeline (generate-set ; keep-primes).
//!
//! Environment: LIMIT  the largest number (a u32).
//! Output: /output/number-set.txt  one CSV line "2,3,...,LIMIT\n"; an empty file when LIMIT < 2.

use std::fs;
use std::process::exit;

fn main() {
    let limit: u32 = match std::env::var("LIMIT").ok().and_then(|v| v.trim().parse().ok()) {
        Some(limit) => limit,
        None => {
            eprintln!("LIMIT must be set to a u32");
            exit(1)
        }
    };
    let numbers: Vec<String> = (2..=limit).map(|n| n.to_string()).collect();
    let text = if numbers.is_empty() { String::new() } else { numbers.join(",") + "\n" };
    if let Err(e) = fs::write("/output/number-set.txt", text) {
        eprintln!("cannot write /output/number-set.txt: {}", e);
        exit(1);
    }
}
