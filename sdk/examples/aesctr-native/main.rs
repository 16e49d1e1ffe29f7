//! aesctr-native (Rust, std only): Veracruz's aesctr-native example. It asks the static native
//! module "Counter mode AES Service" (special file /services/aesctr.dat) to encrypt one message and
//! to decrypt another with a fixed AES-128 key and IV, checks both answers against the bytes
//! OpenSSL gives (`openssl enc -aes-128-ctr`), and writes an empty /output/aesctr_native_pass.txt
//! when both match.
//!
//! Request (postcard, Veracruz's `AesCtrInput`): key [u8; 16], iv [u8; 16], input_path (string),
//! output_path (string), is_encryption (bool); a string is a LEB128 length and its UTF-8 bytes.
//! Files: writes /output/data.dat (the message), the service writes /output/enc.dat and
//! /output/dec.dat. docs/guest-programs.md (aesctr-native).

use std::fs;
use std::process::exit;

const SERVICE: &str = "/services/aesctr.dat";
const KEY: &[u8; 16] = b"aujourdhuimamane";
const IV: &[u8; 16] = b"stmorteoupeutetr";

fn varint(out: &mut Vec<u8>, mut n: usize) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn request(input: &str, output: &str, encrypt: bool) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(KEY);
    out.extend_from_slice(IV);
    for path in [input, output] {
        varint(&mut out, path.len());
        out.extend_from_slice(path.as_bytes());
    }
    out.push(encrypt as u8);
    out
}

/// Writes `message` to /output/data.dat, asks the service, and compares its answer in `output`.
fn round(message: &[u8], output: &str, encrypt: bool, expected: &[u8]) -> Result<bool, String> {
    let data = "/output/data.dat";
    fs::write(data, message).map_err(|e| format!("cannot write {}: {}", data, e))?;
    fs::write(SERVICE, request(data, output, encrypt))
        .map_err(|e| format!("the AES-CTR service refused the request: {}", e))?;
    let answer = fs::read(output).map_err(|e| format!("cannot read {}: {}", output, e))?;
    Ok(answer == expected)
}

fn main() {
    let enc = [0xa1, 0x20, 0x5e, 0x15, 0x7c, 0xf1, 0xb3];
    let dec = [0xaa, 0x2d, 0x44, 0x11, 0x67, 0xe8, 0xa6, 0x2c, 0x9c];
    let rounds = [
        round(b"ehierje", "/output/enc.dat", true, &enc),
        round(b"nesaispas", "/output/dec.dat", false, &dec),
    ];
    let mut passed = true;
    for r in rounds {
        match r {
            Ok(ok) => passed &= ok,
            Err(message) => {
                eprintln!("{}", message);
                exit(1);
            }
        }
    }
    if passed {
        if let Err(e) = fs::write("/output/aesctr_native_pass.txt", b"") {
            eprintln!("cannot write /output/aesctr_native_pass.txt: {}", e);
            exit(1);
        }
    } else {
        eprintln!("the AES-CTR service's answers differ from OpenSSL's");
    }
}
