//! postcard-native (Rust, std only): Veracruz's postcard-native example. It hands the postcard
//! bytes of /input/postcard.dat (a `Vec<Struct3>`, the postcard generator's format) to the static
//! native module "Postcard Service" by writing them to its special file
//! /services/postcard_string.dat, reads the service's JSON from /services/postcard_result.dat and
//! writes it to /output/postcard_native.txt. A request the service refuses (bytes that are not a
//! `Vec<Struct3>`) fails the write: the program reports it and exits 1.
//! docs/guest-programs.md (postcard-native).

use std::fs;
use std::process::exit;

fn run() -> Result<(), String> {
    let input = fs::read("/input/postcard.dat")
        .map_err(|e| format!("cannot read /input/postcard.dat: {}", e))?;
    fs::write("/services/postcard_string.dat", input)
        .map_err(|e| format!("the Postcard service refused /input/postcard.dat: {}", e))?;
    let json = fs::read("/services/postcard_result.dat")
        .map_err(|e| format!("cannot read /services/postcard_result.dat: {}", e))?;
    fs::write("/output/postcard_native.txt", json)
        .map_err(|e| format!("cannot write /output/postcard_native.txt: {}", e))
}

fn main() {
    if let Err(message) = run() {
        eprintln!("{}", message);
        exit(1);
    }
}
