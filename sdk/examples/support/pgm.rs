//! Binary PGM (P5) reading for the Rust example guests that take a grey frame (mnist-classifier,
//! object-detection, tflite-inference-native-mnist), included by each with
//! `#[path = "../support/pgm.rs"] mod pgm;` because every guest is one rustc invocation without
//! Cargo (scripts/build-programs.sh).

/// The pixels of a binary PGM of `width` x `height`, maxval 255.
pub fn pgm(bytes: &[u8], width: usize, height: usize) -> Result<Vec<u8>, String> {
    if !bytes.starts_with(b"P5") {
        return Err("not a binary PGM (P5)".to_string());
    }
    let mut at = 2;
    let mut fields = [0usize; 3];
    for field in fields.iter_mut() {
        loop {
            match bytes.get(at) {
                Some(b'#') => {
                    while bytes.get(at).map_or(false, |&b| b != b'\n') {
                        at += 1;
                    }
                }
                Some(b) if b.is_ascii_whitespace() => at += 1,
                _ => break,
            }
        }
        let start = at;
        while bytes.get(at).map_or(false, |b| b.is_ascii_digit()) {
            at += 1;
        }
        *field = std::str::from_utf8(&bytes[start..at])
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| "a bad PGM header".to_string())?;
    }
    if !bytes.get(at).map_or(false, |b| b.is_ascii_whitespace()) {
        return Err("a bad PGM header".to_string());
    }
    at += 1;
    if fields != [width, height, 255] {
        return Err(format!("a {}x{} PGM of maxval {}, not {}x{} of 255", fields[0], fields[1], fields[2], width, height));
    }
    let pixels = &bytes[at..];
    if pixels.len() != width * height {
        return Err(format!("{} pixel bytes, not {}", pixels.len(), width * height));
    }
    Ok(pixels.to_vec())
}
