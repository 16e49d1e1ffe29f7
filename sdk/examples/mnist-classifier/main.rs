//! mnist-classifier (Rust, std only): Veracruz's TensorFlow Lite MNIST example as a Wasm program.
//! A handwritten digit (white on black) goes through a small uint8-quantized network, with
//! TensorFlow Lite's quantized arithmetic (integer accumulators, fixed-point requantization), and
//! the ten digit probabilities are printed as Veracruz's example prints them.
//!
//! Inputs:  /input/digit.pgm           binary PGM (P5), 28 x 28, maxval 255
//!          /input/mnist-model.vcqn    the network (format below; sdk/examples/mnist-classifier/
//!                                     generate.ts trains and writes one)
//! Outputs: stdout and /output/mnist.txt, the same text: the line
//!          "Detection probability per digit (descending):" then one line "D: P%" per digit,
//!          P = (q as f32) * 100.0 / 255.0 with two decimals, q the digit's uint8 probability,
//!          in descending order of P (equal P: smaller digit first).
//! Model (all little-endian): "VCQN", u32 version 1, u32 input length (784), u32 layer count;
//! each layer: u32 inputs, u32 outputs, u8 weight zero point, u8 input zero point, u8 output zero
//! point, u8 relu (0 or 1), i32 multiplier (2^30 <= m < 2^31), u32 shift (<= 31), outputs x inputs
//! u8 weights (row by row), outputs i32 biases; then 256 u32 exp table entries.
//! Layer: acc = bias + sum (w - wz)(x - xz); y = zp_out + ((acc * m + 2^(30 + shift)) >> (31 +
//! shift)), clamped to [zp_out if relu else 0, 255]. Softmax over the last layer's 10 outputs q:
//! e = table[max(q) - q], p = floor((2 * 255 * e + sum e) / (2 * sum e)).
//! Wrong shapes (another image size or format, a truncated or inconsistent model) are refused
//! with a message on stderr and exit code 1, nothing written.

use std::fs;
use std::process::exit;

#[path = "../support/pgm.rs"]
mod pgm;
use pgm::pgm;

#[path = "../support/quantized_net.rs"]
mod quantized_net;
use quantized_net::{model, run};

fn fail(message: String) -> ! {
    eprintln!("{}", message);
    exit(1)
}

fn read(path: &str) -> Vec<u8> {
    fs::read(path).unwrap_or_else(|e| fail(format!("cannot read {}: {}", path, e)))
}

fn main() {
    let net = model(&read("/input/mnist-model.vcqn")).unwrap_or_else(|e| fail(format!("/input/mnist-model.vcqn: {}", e)));
    if net.input != 784 || net.layers.last().map(|l| l.outputs) != Some(10) {
        fail(format!("/input/mnist-model.vcqn maps {} values to {}, not 784 to 10", net.input, net.layers.last().map_or(0, |l| l.outputs)));
    }
    let mut x = pgm(&read("/input/digit.pgm"), 28, 28).unwrap_or_else(|e| fail(format!("/input/digit.pgm is {}", e)));
    for layer in &net.layers {
        x = run(layer, &x);
    }
    let max = *x.iter().max().unwrap_or(&0);
    let e: Vec<u64> = x.iter().map(|q| net.table[(max - q) as usize] as u64).collect();
    let sum: u64 = e.iter().sum();
    if sum == 0 {
        fail("/input/mnist-model.vcqn has an exp table of zeros".to_string());
    }
    // As Veracruz's example: percentages in f32, sorted descending (a stable sort).
    let mut result: Vec<(usize, f32)> = e.iter().map(|e| ((2 * 255 * e + sum) / (2 * sum)) as u8).map(|q| (q as f32) * 100.0 / 255.0).enumerate().collect();
    result.sort_by(|a, b| b.1.partial_cmp(&a.1).unwrap_or(std::cmp::Ordering::Equal));
    let mut text = String::from("Detection probability per digit (descending):\n");
    for (digit, percentage) in result {
        text.push_str(&format!("{}: {:.2}%\n", digit, percentage));
    }
    print!("{}", text);
    if let Err(e) = fs::write("/output/mnist.txt", text) {
        fail(format!("cannot write /output/mnist.txt: {}", e));
    }
}
