//! object-detection (Rust, std only): Veracruz's darknet inference example as a Wasm program. A
//! small single-shot detector in the manner of YOLO (a grid of cells, each predicting an
//! objectness, class probabilities and a box), uint8-quantized with TensorFlow Lite's integer
//! arithmetic, finds the objects of one frame; the detections are written as Veracruz's darknet
//! service writes them.
//!
//! Inputs (one frame per run; a stream of frames is one run per frame):
//!   /input/image.pgm        the frame: binary PGM (P5), 64 x 64, maxval 255
//!   /input/detector.vcqn    the network (VCQN, as mnist-classifier's; 576 inputs, 5 + C outputs)
//!   /input/labels.names     the C class names, one a line (darknet's .names)
//! Output: /output/prediction.log, one line a detection, most probable first (equal: the earlier
//!   cell, row by row), "LABEL\tP%\tx: X\ty: Y\tw: W\th: H\n": P = prob * 100 with two decimals,
//!   X, Y the box centre and W, H its size relative to the frame (f32, shortest form); empty when
//!   nothing is found.
//! The network runs once per 8 x 8 cell of the 8 x 8 grid, on the 24 x 24 pixels centred on the
//! cell (zero outside the frame). Of its outputs q (zero point z, the model's exp table T):
//!   sig(v) = 255 * 2^24 / (2^24 + T[v - z]) if v >= z, else 255 * T[z - v] / (2^24 + T[z - v]),
//!   rounded to nearest (half up); objectness = sig(q0); the class probabilities are the softmax
//!   of q1..qC by T (as mnist-classifier); bx, by, bw, bh = sig of the last four.
//!   The best class (the smallest on a tie) has prob = objectness * class / 255 (floor); a cell is
//!   a detection when objectness >= 64 and prob >= 64 (Veracruz's thresholds 0.25, 0.25).
//!   Its box, in 1/255 pixel: centre (8 col * 255 + 8 bx, 8 row * 255 + 8 by), size (32 bw,
//!   32 bh). Non-maximum suppression (Veracruz's iou threshold 0.45): in order, a detection is
//!   dropped when its intersection with a kept one is more than 0.45 of their union.
//!   Printed: prob as (p as f32) / 255.0 * 100.0; X = centre / 16320 as f32, and so on.
//! Wrong shapes (another frame size or format, a bad model, labels not matching the model) are
//! refused with a message on stderr and exit code 1, nothing written.

use std::fs;
use std::process::exit;

#[path = "../support/pgm.rs"]
mod pgm;
use pgm::pgm;

#[path = "../support/quantized_net.rs"]
mod quantized_net;
use quantized_net::{model, run};

const SIDE: usize = 64;
const CELL: usize = 8;
const PATCH: usize = 24;

fn fail(message: String) -> ! {
    eprintln!("{}", message);
    exit(1)
}

fn read(path: &str) -> Vec<u8> {
    fs::read(path).unwrap_or_else(|e| fail(format!("cannot read {}: {}", path, e)))
}

const ONE: u64 = 1 << 24;

fn sig(table: &[u64], zero: i64, v: u8) -> u64 {
    let (num, den) = if v as i64 >= zero {
        (255 * ONE, ONE + table[(v as i64 - zero) as usize])
    } else {
        let e = table[(zero - v as i64) as usize];
        (255 * e, ONE + e)
    };
    (2 * num + den) / (2 * den)
}

struct Detection {
    class: usize,
    prob: u64,
    cx: i64,
    cy: i64,
    w: i64,
    h: i64,
}

/// Intersection more than 0.45 of the union (boxes in doubled coordinates).
fn overlaps(a: &Detection, b: &Detection) -> bool {
    let span = |c1: i64, s1: i64, c2: i64, s2: i64| ((2 * c1 + s1).min(2 * c2 + s2) - (2 * c1 - s1).max(2 * c2 - s2)).max(0);
    let inter = span(a.cx, a.w, b.cx, b.w) * span(a.cy, a.h, b.cy, b.h);
    let union = 4 * a.w * a.h + 4 * b.w * b.h - inter;
    inter * 100 > 45 * union
}

fn main() {
    let net = model(&read("/input/detector.vcqn")).unwrap_or_else(|e| fail(format!("/input/detector.vcqn: {}", e)));
    let outputs = net.layers.last().map_or(0, |l| l.outputs);
    if net.input != PATCH * PATCH || outputs < 6 {
        fail(format!("/input/detector.vcqn maps {} values to {}, not {} to 5 + classes", net.input, outputs, PATCH * PATCH));
    }
    let classes = outputs - 5;
    let labels_text = String::from_utf8(read("/input/labels.names")).unwrap_or_else(|_| fail("/input/labels.names is not UTF-8".to_string()));
    let labels: Vec<&str> = labels_text.lines().collect();
    if labels.len() != classes || labels.iter().any(|l| l.is_empty()) {
        fail(format!("/input/labels.names has {} names, the model {} classes", labels.len(), classes));
    }
    let image = pgm(&read("/input/image.pgm"), SIDE, SIDE).unwrap_or_else(|e| fail(format!("/input/image.pgm is {}", e)));
    let zero = net.layers.last().map_or(0, |l| l.output_zero);
    let grid = SIDE / CELL;
    let mut found = Vec::new();
    for row in 0..grid {
        for col in 0..grid {
            let mut patch = vec![0u8; PATCH * PATCH];
            for y in 0..PATCH {
                for x in 0..PATCH {
                    let (iy, ix) = ((row * CELL + y) as i64 - 8, (col * CELL + x) as i64 - 8);
                    if (0..SIDE as i64).contains(&iy) && (0..SIDE as i64).contains(&ix) {
                        patch[y * PATCH + x] = image[iy as usize * SIDE + ix as usize];
                    }
                }
            }
            let mut q = patch;
            for layer in &net.layers {
                q = run(layer, &q);
            }
            let objectness = sig(&net.table, zero, q[0]);
            let logits = &q[1..1 + classes];
            let max = *logits.iter().max().unwrap_or(&0);
            let e: Vec<u64> = logits.iter().map(|v| net.table[(max - v) as usize]).collect();
            let sum: u64 = e.iter().sum();
            if sum == 0 {
                fail("/input/detector.vcqn has an exp table of zeros".to_string());
            }
            let probs: Vec<u64> = e.iter().map(|e| (2 * 255 * e + sum) / (2 * sum)).collect();
            let mut class = 0;
            for (k, p) in probs.iter().enumerate() {
                if *p > probs[class] {
                    class = k;
                }
            }
            let prob = objectness * probs[class] / 255;
            if objectness < 64 || prob < 64 {
                continue;
            }
            let b: Vec<i64> = q[1 + classes..].iter().map(|v| sig(&net.table, zero, *v) as i64).collect();
            found.push(Detection {
                class,
                prob,
                cx: (CELL * 255 * col) as i64 + 8 * b[0],
                cy: (CELL * 255 * row) as i64 + 8 * b[1],
                w: 32 * b[2],
                h: 32 * b[3],
            });
        }
    }
    found.sort_by(|a, b| b.prob.cmp(&a.prob));
    let mut kept: Vec<Detection> = Vec::new();
    for d in found {
        if !kept.iter().any(|k| overlaps(k, &d)) {
            kept.push(d);
        }
    }
    let scale = (SIDE * 255) as f32;
    let mut text = String::new();
    for d in &kept {
        let prob = d.prob as f32 / 255.0;
        text.push_str(&format!(
            "{}\t{:.2}%\tx: {}\ty: {}\tw: {}\th: {}\n",
            labels[d.class],
            prob * 100.0,
            d.cx as f32 / scale,
            d.cy as f32 / scale,
            d.w as f32 / scale,
            d.h as f32 / scale
        ));
    }
    if let Err(e) = fs::write("/output/prediction.log", text) {
        fail(format!("cannot write /output/prediction.log: {}", e));
    }
}
