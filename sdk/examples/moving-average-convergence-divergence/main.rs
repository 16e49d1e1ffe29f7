//! moving-average-convergence-divergence (Rust, std only): trading decisions from price series,
//! computed as Veracruz's MACD example computes them.
//!
//! Inputs:  /input/macd/<series>   postcard Vec<f64> of prices (a LEB128 varint count, then each
//!                                 price as 8 little-endian bytes)
//! Outputs: /output/macd/<series>  postcard Vec<f64> of decisions, one per pair of adjacent MACD
//!                                 values: 34 prices give none, n >= 35 give n - 35.
//! Definitions (as Veracruz's; every sum runs left to right, so results are bit-for-bit
//! reproducible):
//!   wma(x, w)[i] = 0.0 + x[i] * wt[0] + ... + x[i+w-1] * wt[w-1],  wt[k] = 2(k+1) / (w(w+1))
//!   diff = wma(p,12)[14..] - wma(p,26);  macd = diff[9..] - wma(diff,9)
//!   for adjacent (a, b) in macd: f = a/2, s = b/2, r = f * s,
//!   decision = (-0.0001 r^9 + 0.0003 r^8 + ... - 0.0753) * (f - s), each r^k by powi
//!   (repeated squaring), the terms added left to right.
//! A series that is not a postcard Vec<f64> (wrong length, bytes left over) or has fewer than 34
//! prices (Veracruz's example panics on it) is refused with a message and exit code 1.

use std::fs;
use std::process::exit;

fn wma(data: &[f64], window: u32) -> Vec<f64> {
    let weight: Vec<f64> = (0..window)
        .map(|i| 2.0 * (i as f64 + 1.0) / (window as f64 * (window as f64 + 1.0)))
        .collect();
    data.windows(weight.len())
        .map(|slice| slice.iter().zip(weight.iter()).fold(0.0, |acc, (lhs, rhs)| acc + (lhs * rhs)))
        .collect()
}

fn decisions(prices: &[f64]) -> Vec<f64> {
    let wma12 = wma(prices, 12);
    let wma26 = wma(prices, 26);
    let diff: Vec<f64> = wma12[14..].iter().zip(wma26.iter()).map(|(a, b)| a - b).collect();
    let wma9 = wma(&diff, 9);
    let macd: Vec<f64> = diff[9..].iter().zip(wma9.iter()).map(|(a, b)| a - b).collect();
    macd.windows(2)
        .map(|pair| {
            let first = 0.5 * pair[0];
            let second = 0.5 * pair[1];
            let r = first * second;
            let poly = -0.0001 * (r.powi(9)) + 0.0003 * (r.powi(8)) + 0.0025 * (r.powi(7))
                - 0.009 * (r.powi(6))
                - 0.0253 * (r.powi(5))
                + 0.0984 * (r.powi(4))
                + 0.0882 * (r.powi(3))
                - 0.5173 * (r.powi(2))
                + 0.4475 * r
                - 0.0753;
            poly * (first - second)
        })
        .collect()
}

fn fail(what: &str, e: impl std::fmt::Display) -> ! {
    eprintln!("{}: {}", what, e);
    exit(1)
}

/// A postcard Vec<f64>, exactly: None when the bytes have another shape.
fn postcard_f64s(bytes: &[u8]) -> Option<Vec<f64>> {
    let mut count: u64 = 0;
    let mut at = 0;
    loop {
        let byte = *bytes.get(at)?;
        if at == 5 {
            return None;
        }
        count |= ((byte & 0x7f) as u64) << (7 * at);
        at += 1;
        if byte < 0x80 {
            break;
        }
    }
    if count > u32::MAX as u64 || (bytes.len() - at) as u64 != count * 8 {
        return None;
    }
    Some(bytes[at..].chunks_exact(8).map(|c| f64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]])).collect())
}

fn postcard_bytes(values: &[f64]) -> Vec<u8> {
    let mut out = Vec::with_capacity(5 + 8 * values.len());
    let mut rest = values.len() as u64;
    while rest >= 0x80 {
        out.push((rest & 0x7f) as u8 | 0x80);
        rest >>= 7;
    }
    out.push(rest as u8);
    for value in values {
        out.extend_from_slice(&value.to_le_bytes());
    }
    out
}

fn main() {
    let entries = fs::read_dir("/input/macd").unwrap_or_else(|e| fail("/input/macd", e));
    let mut names: Vec<String> = entries
        .map(|entry| entry.unwrap_or_else(|e| fail("/input/macd", e)).file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    // Every series is checked before anything is written.
    let mut results = Vec::with_capacity(names.len());
    for name in &names {
        let path = format!("/input/macd/{}", name);
        let bytes = fs::read(&path).unwrap_or_else(|e| fail(&path, e));
        let prices = postcard_f64s(&bytes).unwrap_or_else(|| fail(&path, "not a postcard Vec<f64>"));
        if prices.len() < 34 {
            fail(&path, format!("{} prices; MACD needs at least 34", prices.len()));
        }
        results.push(postcard_bytes(&decisions(&prices)));
    }
    fs::create_dir_all("/output/macd").unwrap_or_else(|e| fail("/output/macd", e));
    for (name, out) in names.iter().zip(results) {
        let target = format!("/output/macd/{}", name);
        fs::write(&target, out).unwrap_or_else(|e| fail(&target, e));
    }
}
