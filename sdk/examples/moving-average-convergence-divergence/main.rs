//! moving-average-convergence-divergence (Rust, std only): trading signals from price series,
//! after Veracruz's MACD example (weighted moving averages, approximate decision function).
//!
//! Inputs:  /input/macd/<series>   packed little-endian f64 prices
//! Outputs: /output/macd/<series>  packed little-endian f64 decisions, one per pair of adjacent
//!          MACD values (empty when the series has fewer than 36 prices).
//! Definitions (all sums run left to right, so results are bit-for-bit reproducible):
//!   wma(x, w)[i] = sum_{k<w} x[i+k] * 2(k+1)/(w(w+1))
//!   diff = wma(p,12)[14..] - wma(p,26);  macd = diff[9..] - wma(diff,9)
//!   for adjacent (a, b) in macd: r = (a/2)(b/2);
//!   decision = poly(r) * (a/2 - b/2), poly by Horner with the coefficients below.

use std::fs;
use std::process::exit;

const POLY: [f64; 10] = [-0.0001, 0.0003, 0.0025, -0.009, -0.0253, 0.0984, 0.0882, -0.5173, 0.4475, -0.0753];

fn wma(data: &[f64], window: usize) -> Vec<f64> {
    let w = window as f64;
    let weights: Vec<f64> = (0..window).map(|k| 2.0 * (k as f64 + 1.0) / (w * (w + 1.0))).collect();
    if data.len() < window {
        return Vec::new();
    }
    (0..=data.len() - window)
        .map(|i| {
            let mut sum = 0.0;
            for k in 0..window {
                sum += data[i + k] * weights[k];
            }
            sum
        })
        .collect()
}

fn decisions(prices: &[f64]) -> Vec<f64> {
    let wma12 = wma(prices, 12);
    let wma26 = wma(prices, 26);
    let diff: Vec<f64> = wma12.iter().skip(14).zip(&wma26).map(|(a, b)| a - b).collect();
    let wma9 = wma(&diff, 9);
    let macd: Vec<f64> = diff.iter().skip(9).zip(&wma9).map(|(a, b)| a - b).collect();
    macd.windows(2)
        .map(|pair| {
            let (a, b) = (0.5 * pair[0], 0.5 * pair[1]);
            let r = a * b;
            let mut poly = 0.0;
            for c in POLY.iter() {
                poly = poly * r + c;
            }
            poly * (a - b)
        })
        .collect()
}

fn fail(what: &str, e: std::io::Error) -> ! {
    eprintln!("{}: {}", what, e);
    exit(1)
}

fn main() {
    let entries = match fs::read_dir("/input/macd") {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return,
        Err(e) => fail("/input/macd", e),
    };
    let mut names: Vec<String> = entries
        .map(|entry| entry.unwrap_or_else(|e| fail("/input/macd", e)).file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    fs::create_dir_all("/output/macd").unwrap_or_else(|e| fail("/output/macd", e));
    for name in names {
        let path = format!("/input/macd/{}", name);
        let bytes = fs::read(&path).unwrap_or_else(|e| fail(&path, e));
        let prices: Vec<f64> = bytes
            .chunks_exact(8)
            .map(|c| f64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
            .collect();
        let out: Vec<u8> = decisions(&prices).iter().flat_map(|d| d.to_le_bytes()).collect();
        let target = format!("/output/macd/{}", name);
        fs::write(&target, out).unwrap_or_else(|e| fail(&target, e));
    }
}
