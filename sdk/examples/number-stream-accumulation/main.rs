//! number-stream-accumulation (Rust, std only): a running total that persists across rounds.
//! Each execution adds the next value of two number streams to the previous result.
//!
//! Inputs:  /input/number-stream-init.dat  one little-endian f64, the starting value
//!          /input/number-stream-1.dat     packed little-endian f64 values
//!          /input/number-stream-2.dat     packed little-endian f64 values
//! State and output: /output/accumulation.dat  little-endian u64 round count, then f64 total.
//! Round n (from 0) reads the previous result (or count 0 and the starting value), reads value n
//! of each stream by seeking to byte 8n (the streams are never read whole), and writes
//! (n + 1, total + a + b). When a stream has no value n the state is written back unchanged.

use std::fs::{self, File};
use std::io::{self, Read, Seek, SeekFrom};
use std::process::exit;

const STATE: &str = "/output/accumulation.dat";

fn die(what: &str, e: io::Error) -> ! {
    eprintln!("{}: {}", what, e);
    exit(1)
}

fn f64_at(bytes: &[u8], offset: usize) -> Option<f64> {
    let chunk = bytes.get(offset..offset + 8)?;
    let mut array = [0u8; 8];
    array.copy_from_slice(chunk);
    Some(f64::from_le_bytes(array))
}

fn previous() -> (u64, f64) {
    match fs::read(STATE) {
        Ok(bytes) if bytes.len() == 16 => {
            let mut count = [0u8; 8];
            count.copy_from_slice(&bytes[..8]);
            (u64::from_le_bytes(count), f64_at(&bytes, 8).unwrap_or(0.0))
        }
        Ok(_) => {
            eprintln!("{} is not 16 bytes", STATE);
            exit(1)
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let init = fs::read("/input/number-stream-init.dat")
                .unwrap_or_else(|e| die("/input/number-stream-init.dat", e));
            (0, f64_at(&init, 0).unwrap_or(0.0))
        }
        Err(e) => die(STATE, e),
    }
}

/// Value `index` of a stream, read by seeking; None past its end.
fn stream_value(path: &str, index: u64) -> Option<f64> {
    let mut file = File::open(path).unwrap_or_else(|e| die(path, e));
    file.seek(SeekFrom::Start(index * 8)).unwrap_or_else(|e| die(path, e));
    let mut buf = [0u8; 8];
    let mut filled = 0;
    while filled < 8 {
        match file.read(&mut buf[filled..]) {
            Ok(0) => return None,
            Ok(n) => filled += n,
            Err(e) => die(path, e),
        }
    }
    Some(f64::from_le_bytes(buf))
}

fn main() {
    let (count, total) = previous();
    let a = stream_value("/input/number-stream-1.dat", count);
    let b = stream_value("/input/number-stream-2.dat", count);
    let (count, total) = match (a, b) {
        (Some(a), Some(b)) => (count + 1, total + a + b),
        _ => (count, total),
    };
    let mut out = Vec::with_capacity(16);
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&total.to_le_bytes());
    fs::write(STATE, out).unwrap_or_else(|e| die(STATE, e));
}
