//! number-stream-accumulation (Rust, std only): a running total that persists across rounds, as
//! Veracruz's example. Each execution adds the next value of two number streams to the previous
//! result.
//!
//! Inputs:  /input/number-stream-init.dat  postcard f64 (8 little-endian bytes), the start value
//!          /input/number-stream-1.dat     postcard f64 values one after another (8 bytes each)
//!          /input/number-stream-2.dat     the same
//! State and output: /output/accumulation.dat  postcard (u64, f64): the round count as an
//!          unsigned LEB128 varint, then the total as 8 little-endian bytes.
//! Round n (from 0) reads the previous result (or count 0 and the start value), reads value n of
//! each stream by seeking to byte 8n (the streams are never read whole), and writes
//! (n + 1, total + a + b). As in Veracruz, a stream without a value n, a start value shorter than
//! 8 bytes or a state of another shape is refused with a message and exit code 1 (the state is
//! left as it was).

use std::fs::{self, File};
use std::io::{self, Read, Seek, SeekFrom};
use std::process::exit;

const STATE: &str = "/output/accumulation.dat";
const INIT: &str = "/input/number-stream-init.dat";

fn die(what: &str, e: impl std::fmt::Display) -> ! {
    eprintln!("{}: {}", what, e);
    exit(1)
}

fn f64_at(bytes: &[u8], offset: usize) -> Option<f64> {
    let chunk = bytes.get(offset..offset + 8)?;
    let mut array = [0u8; 8];
    array.copy_from_slice(chunk);
    Some(f64::from_le_bytes(array))
}

/// A postcard u64 (LEB128, at most 10 bytes) at the start of `bytes`, and its length.
fn varint(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut value: u64 = 0;
    for (i, &byte) in bytes.iter().enumerate().take(10) {
        let part = (byte & 0x7f) as u64;
        if i == 9 && part > 1 {
            return None;
        }
        value |= part << (7 * i);
        if byte < 0x80 {
            return Some((value, i + 1));
        }
    }
    None
}

fn previous() -> (u64, f64) {
    match fs::read(STATE) {
        Ok(bytes) => {
            let parsed = varint(&bytes).and_then(|(count, at)| {
                if bytes.len() == at + 8 {
                    f64_at(&bytes, at).map(|total| (count, total))
                } else {
                    None
                }
            });
            parsed.unwrap_or_else(|| die(STATE, "not a postcard (u64, f64)"))
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let init = fs::read(INIT).unwrap_or_else(|e| die(INIT, e));
            match f64_at(&init, 0) {
                Some(value) => (0, value),
                None => die(INIT, "not a postcard f64 (8 bytes)"),
            }
        }
        Err(e) => die(STATE, e),
    }
}

/// Value `index` of a stream, read by seeking.
fn stream_value(path: &str, index: u64) -> f64 {
    let mut file = File::open(path).unwrap_or_else(|e| die(path, e));
    file.seek(SeekFrom::Start(index * 8)).unwrap_or_else(|e| die(path, e));
    let mut buf = [0u8; 8];
    let mut filled = 0;
    while filled < 8 {
        match file.read(&mut buf[filled..]) {
            Ok(0) => die(path, format!("no value {} (a postcard f64 at byte {})", index, index * 8)),
            Ok(n) => filled += n,
            Err(e) => die(path, e),
        }
    }
    f64::from_le_bytes(buf)
}

fn main() {
    let (count, total) = previous();
    let a = stream_value("/input/number-stream-1.dat", count);
    let b = stream_value("/input/number-stream-2.dat", count);
    let count = count + 1;
    let total = total + a + b;
    let mut out = Vec::with_capacity(18);
    let mut rest = count;
    while rest >= 0x80 {
        out.push((rest & 0x7f) as u8 | 0x80);
        rest >>= 7;
    }
    out.push(rest as u8);
    out.extend_from_slice(&total.to_le_bytes());
    fs::write(STATE, out).unwrap_or_else(|e| die(STATE, e));
}
