//! darknet-inference-native (Rust, std only): Veracruz's program of that name. It asks the darknet
//! inference native module (a Dynamic module: darknet_inference.c beside this file, run by the
//! enclave in its native sandbox) to detect the objects of one image, then prints the prediction.
//!
//! The request, written to the special file /services/darknet_inference.dat, is the postcard
//! encoding of Veracruz's DarknetInferenceInput, field by field: five paths (a varint length and
//! UTF-8 each: input, cfg, model, labels, output), four f32 (4 bytes little-endian each:
//! objectness, class, hierarchical and iou thresholds) and a bool (one byte: letterbox), with
//! Veracruz's values: input/image.jpg, input/yolov3.cfg, input/yolov3.weights, input/coco.names,
//! output/prediction.log, 0.25, 0.25, 0.5, 0.45, true. The module writes the prediction (one line
//! per detection, docs/guest-programs.md#darknet-inference-native) to output/prediction.log; the
//! program prints it on stdout as Veracruz's does ({:x?} of the text).
//!
//! One difference from Veracruz's: an old output/prediction.log is removed before the request, so a
//! module that fails cannot leave an earlier prediction to be read as this one's (where the policy
//! does not allow the removal, a warning on stderr says so and the program goes on). When the module
//! writes none (its messages are then on stderr), the program says so on stderr and exits 1.

use std::fs;
use std::path::PathBuf;
use std::process::exit;

const SPECIAL_FILE: &str = "/services/darknet_inference.dat";

/// Veracruz's request structure, field for field.
#[derive(Debug)]
pub struct DarknetInferenceInput {
    input_path: PathBuf,
    cfg_path: PathBuf,
    model_path: PathBuf,
    labels_path: PathBuf,
    output_path: PathBuf,
    objectness_threshold: f32,
    class_threshold: f32,
    hierarchical_threshold: f32,
    iou_threshold: f32,
    letterbox: bool,
}

fn path_field(out: &mut Vec<u8>, path: &PathBuf) {
    let text = path.to_str().expect("the paths are UTF-8");
    let mut n = text.len();
    while n >= 0x80 {
        out.push((n as u8 & 0x7f) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
    out.extend_from_slice(text.as_bytes());
}

/// postcard::to_allocvec of the request, as serde derives it (paths as strings).
fn postcard(input: &DarknetInferenceInput) -> Vec<u8> {
    let mut out = Vec::new();
    for path in [&input.input_path, &input.cfg_path, &input.model_path, &input.labels_path, &input.output_path] {
        path_field(&mut out, path);
    }
    for value in [input.objectness_threshold, input.class_threshold, input.hierarchical_threshold, input.iou_threshold] {
        out.extend_from_slice(&value.to_le_bytes());
    }
    out.push(input.letterbox as u8);
    out
}

fn fail(message: String) -> ! {
    eprintln!("{}", message);
    exit(1)
}

fn main() {
    let darknet_inference_input = DarknetInferenceInput {
        input_path: PathBuf::from("input/image.jpg"),
        cfg_path: PathBuf::from("input/yolov3.cfg"),
        model_path: PathBuf::from("input/yolov3.weights"),
        labels_path: PathBuf::from("input/coco.names"),
        output_path: PathBuf::from("output/prediction.log"),
        objectness_threshold: 0.25,
        class_threshold: 0.25,
        hierarchical_threshold: 0.5,
        iou_threshold: 0.45,
        letterbox: true,
    };
    println!("service input {:x?}", darknet_inference_input);
    let request = postcard(&darknet_inference_input);
    let output = &darknet_inference_input.output_path;
    // An earlier prediction is removed, so that a module that fails cannot leave it to be read as
    // this one's. Veracruz's policies give "rw" on /output/: enough to open the file, not to
    // remove it; then the program goes on as Veracruz's does, and says so.
    if fs::File::open(output).is_ok() {
        if let Err(e) = fs::remove_file(output) {
            eprintln!("warning: cannot remove the old {} ({}): if the service fails, it is read as this prediction", output.display(), e);
        }
    }
    println!("calling Darknet Inference service...");
    if let Err(e) = fs::write(SPECIAL_FILE, request) {
        fail(format!("the darknet inference service refused the request ({}): {}", SPECIAL_FILE, e));
    }
    let result = fs::read_to_string(output).unwrap_or_else(|e| {
        fail(format!("the darknet inference service wrote no {} ({}); its messages, if any, are above", output.display(), e))
    });
    println!("prediction:\n{:x?}", result);
    println!("service return");
}
