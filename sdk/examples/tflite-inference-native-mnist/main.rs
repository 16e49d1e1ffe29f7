//! tflite-inference-native-mnist (Rust, std only): Veracruz's TensorFlow Lite MNIST example. The
//! program turns a handwritten digit into a 28 x 28 grey input tensor, asks the TensorFlow Lite
//! inference service (a dynamic native module, tflite_inference.cpp beside this file) to run the
//! model on it, and prints the ten digit probabilities as Veracruz's example prints them.
//!
//! Inputs:  /input/digit.pgm                      binary PGM (P5), 28 x 28, maxval 255, white on
//!                                                black (Veracruz's reads /input/digit.png of any
//!                                                size and resizes it; this one has no codec)
//!          /input/MNISTnet_uint8_quant.tflite    the model (read by the service, not here)
//! Service: writes the pixels to /program_internal/grayscale_image.bin, then the postcard of
//!          Veracruz's TfLiteInferenceInput { input_tensor_path, model_path, output_tensor_path:
//!          PathBuf, num_threads: i32 } (paths: varint length and UTF-8; i32: zigzag varint) to
//!          /services/tflite_inference.dat; the service writes the output tensor, ten uint8
//!          probabilities, to /program_internal/output.dat (emptied before the call).
//! Outputs: stdout as Veracruz's: "service input {:x?}" of the request, "calling TensorFlow Lite
//!          Inference service...", "service return", then "Detection probability per digit
//!          (descending):" and "D: P%" per digit, P = q * 100 / 255 in f32 with two decimals, in
//!          descending order (equal P: smaller digit first); /output/mnist.txt the last eleven
//!          lines (as mnist-classifier writes them).
//! A digit of another size or format, or no output tensor of ten bytes (the service refused the
//! request or the model; its message is on stderr), is refused with a message on stderr and exit
//! code 1, nothing written to /output.
//! docs/guest-programs.md#tflite-inference-native-mnist.

use std::fs;
use std::path::PathBuf;
use std::process::exit;

#[path = "../support/pgm.rs"]
mod pgm;
use pgm::pgm;

/// Veracruz's request to the service (field order and types are the wire format).
#[derive(Debug)]
#[allow(dead_code)] // read only through Debug
struct TfLiteInferenceInput {
    input_tensor_path: PathBuf,
    model_path: PathBuf,
    output_tensor_path: PathBuf,
    num_threads: i32,
}

const INPUT_TENSOR: &str = "/program_internal/grayscale_image.bin";
const MODEL: &str = "/input/MNISTnet_uint8_quant.tflite";
const OUTPUT_TENSOR: &str = "/program_internal/output.dat";
const SERVICE: &str = "/services/tflite_inference.dat";

/// A postcard unsigned varint (LEB128).
fn varint(out: &mut Vec<u8>, mut value: u32) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// A postcard PathBuf: its UTF-8 length as a varint, then the bytes.
fn path(out: &mut Vec<u8>, path: &PathBuf) -> Result<(), String> {
    let text = path.to_str().ok_or_else(|| format!("{:?} is not UTF-8", path))?;
    varint(out, text.len() as u32);
    out.extend_from_slice(text.as_bytes());
    Ok(())
}

fn postcard(request: &TfLiteInferenceInput) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    path(&mut out, &request.input_tensor_path)?;
    path(&mut out, &request.model_path)?;
    path(&mut out, &request.output_tensor_path)?;
    // Zigzag: 0, -1, 1, -2, ... are 0, 1, 2, 3, ...
    varint(&mut out, ((request.num_threads << 1) ^ (request.num_threads >> 31)) as u32);
    Ok(out)
}

fn run() -> Result<(), String> {
    let digit = fs::read("/input/digit.pgm").map_err(|e| format!("cannot read /input/digit.pgm: {}", e))?;
    let pixels = pgm(&digit, 28, 28).map_err(|e| format!("/input/digit.pgm is {}", e))?;
    // Veracruz's example takes /program_internal/ as given (a policy granting rights there makes
    // it a pre-opened directory); where it is missing, it is made.
    if let Err(e) = fs::write(INPUT_TENSOR, &pixels) {
        if e.kind() != std::io::ErrorKind::NotFound {
            return Err(format!("cannot write {}: {}", INPUT_TENSOR, e));
        }
        fs::create_dir("/program_internal").map_err(|e| format!("cannot create /program_internal: {}", e))?;
        fs::write(INPUT_TENSOR, &pixels).map_err(|e| format!("cannot write {}: {}", INPUT_TENSOR, e))?;
    }
    // A tensor left by an earlier run must not pass for this one's: emptied first (a write, which
    // the program's rights allow where an unlink may not be).
    fs::write(OUTPUT_TENSOR, b"").map_err(|e| format!("cannot write {}: {}", OUTPUT_TENSOR, e))?;

    let request = TfLiteInferenceInput {
        input_tensor_path: PathBuf::from(INPUT_TENSOR),
        model_path: PathBuf::from(MODEL),
        output_tensor_path: PathBuf::from(OUTPUT_TENSOR),
        num_threads: -1, // as Veracruz's: let the engine choose
    };
    println!("service input {:x?}", request);
    println!("calling TensorFlow Lite Inference service...");
    fs::write(SERVICE, postcard(&request)?).map_err(|e| format!("the TensorFlow Lite service refused the request: {}", e))?;
    println!("service return");

    let result = fs::read(OUTPUT_TENSOR).map_err(|e| format!("no output tensor: cannot read {}: {}", OUTPUT_TENSOR, e))?;
    if result.is_empty() {
        return Err(format!("no output tensor: the service wrote nothing to {}", OUTPUT_TENSOR));
    }
    if result.len() != 10 {
        return Err(format!("the output tensor has {} bytes, not 10", result.len()));
    }
    // As Veracruz's example: percentages in f32, sorted descending (a stable sort).
    let mut rows: Vec<(usize, f32)> = result.iter().map(|&q| (q as f32) * 100.0 / 255.0).enumerate().collect();
    rows.sort_by(|a, b| b.1.partial_cmp(&a.1).unwrap_or(std::cmp::Ordering::Equal));
    let mut text = String::from("Detection probability per digit (descending):\n");
    for (digit, percentage) in rows {
        text.push_str(&format!("{}: {:.2}%\n", digit, percentage));
    }
    print!("{}", text);
    fs::write("/output/mnist.txt", text).map_err(|e| format!("cannot write /output/mnist.txt: {}", e))
}

fn main() {
    if let Err(message) = run() {
        eprintln!("{}", message);
        exit(1);
    }
}
