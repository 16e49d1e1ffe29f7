//! VCQN, the uint8-quantized networks of the Rust example guests mnist-classifier and
//! object-detection (the format: docs/guest-programs.md; written by
//! sdk/examples/support/quantized-net.ts): reading a model and running one layer in TensorFlow
//! Lite's integer arithmetic. Included by each guest with
//! `#[path = "../support/quantized_net.rs"] mod quantized_net;` because every guest is one rustc
//! invocation without Cargo (scripts/build-programs.sh).

pub struct Layer {
    pub inputs: usize,
    pub outputs: usize,
    pub weight_zero: i64,
    pub input_zero: i64,
    pub output_zero: i64,
    pub relu: bool,
    pub multiplier: i64,
    pub shift: u32,
    pub weights: Vec<u8>,
    pub biases: Vec<i64>,
}

pub struct Model {
    pub input: usize,
    pub layers: Vec<Layer>,
    pub table: Vec<u64>,
}

struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len()).ok_or_else(|| format!("the model ends at byte {}", self.bytes.len()))?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }
    fn u32(&mut self) -> Result<u32, String> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }
}

pub fn model(bytes: &[u8]) -> Result<Model, String> {
    let mut c = Cursor { bytes, at: 0 };
    if c.take(4)? != b"VCQN" || c.u32()? != 1 {
        return Err("not a VCQN version 1 model".to_string());
    }
    let input = c.u32()? as usize;
    let count = c.u32()? as usize;
    if count == 0 || count > 16 {
        return Err(format!("{} layers", count));
    }
    let mut layers = Vec::new();
    let mut width = input;
    for i in 0..count {
        let (inputs, outputs) = (c.u32()? as usize, c.u32()? as usize);
        if inputs != width || outputs == 0 || outputs > 4096 {
            return Err(format!("layer {} maps {} to {} values after {}", i, inputs, outputs, width));
        }
        let (weight_zero, input_zero, output_zero, relu) = (c.u8()? as i64, c.u8()? as i64, c.u8()? as i64, c.u8()?);
        let multiplier = c.u32()? as i64;
        let shift = c.u32()?;
        if relu > 1 || !(1 << 30..1 << 31).contains(&multiplier) || shift > 31 {
            return Err(format!("layer {} has a bad relu flag, multiplier or shift", i));
        }
        let weights = c.take(inputs * outputs)?.to_vec();
        let biases = (0..outputs).map(|_| c.u32().map(|b| b as i32 as i64)).collect::<Result<_, _>>()?;
        layers.push(Layer { inputs, outputs, weight_zero, input_zero, output_zero, relu: relu == 1, multiplier, shift, weights, biases });
        width = outputs;
    }
    let table = (0..256).map(|_| c.u32().map(u64::from)).collect::<Result<Vec<_>, _>>()?;
    if c.at != bytes.len() {
        return Err(format!("{} bytes after the model", bytes.len() - c.at));
    }
    Ok(Model { input, layers, table })
}

pub fn run(layer: &Layer, x: &[u8]) -> Vec<u8> {
    (0..layer.outputs)
        .map(|o| {
            let row = &layer.weights[o * layer.inputs..(o + 1) * layer.inputs];
            let mut acc = layer.biases[o];
            for (w, v) in row.iter().zip(x) {
                acc += (*w as i64 - layer.weight_zero) * (*v as i64 - layer.input_zero);
            }
            let scaled = (acc * layer.multiplier + (1i64 << (30 + layer.shift))) >> (31 + layer.shift);
            let low = if layer.relu { layer.output_zero } else { 0 };
            (scaled + layer.output_zero).clamp(low, 255) as u8
        })
        .collect()
}
