//! read-file (Rust, std only): reads a file, creates a folder and files, lists /output.
//!
//! Input:  /input/hello-world-1.dat  any bytes
//! Outputs: /output/hello-world-1.dat  a copy of the input
//!          /output/test/test.txt       "hello"
//!          /output/listing.txt         the sorted names in /output after the above, one per line
//! stdout: "hello" then "rust" (as Veracruz's example prints).

use std::fs;
use std::process::exit;

fn check<T>(what: &str, result: std::io::Result<T>) -> T {
    result.unwrap_or_else(|e| {
        eprintln!("{}: {}", what, e);
        exit(1)
    })
}

fn main() {
    let input = check("read /input/hello-world-1.dat", fs::read("/input/hello-world-1.dat"));
    println!("hello");
    check("create /output/test", fs::create_dir_all("/output/test"));
    check("write /output/test/test.txt", fs::write("/output/test/test.txt", "hello"));
    println!("rust");
    check("write /output/hello-world-1.dat", fs::write("/output/hello-world-1.dat", &input));
    let mut names: Vec<String> = check("list /output", fs::read_dir("/output"))
        .map(|entry| check("list /output", entry).file_name().to_string_lossy().into_owned())
        .collect();
    names.push("listing.txt".to_string());
    names.sort();
    names.dedup();
    let listing: String = names.iter().map(|n| format!("{}\n", n)).collect();
    check("write /output/listing.txt", fs::write("/output/listing.txt", listing));
}
