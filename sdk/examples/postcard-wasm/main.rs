//! postcard-wasm (Rust, std only): Veracruz's postcard-wasm example. Decodes a postcard-encoded
//! `Vec<Struct3>` (Veracruz's made-up types, below) and writes it as serde_json's compact JSON.
//!
//! Input:  /input/postcard.dat        postcard `Vec<Struct3>`
//! Output: /output/postcard_wasm.txt  the same value as JSON, byte for byte what
//!         `serde_json::to_string` writes (docs/guest-programs.md, "postcard-wasm").
//! Types (field order is the wire order; an enum is its variant index as a varint, then the value):
//!   Enum1   = ENUM1_1(u32) | ENUM1_2(i64) | ENUM1_3(char) | ENUM1_4([char; 11])
//!   Struct1 = { f1, f2, f3: f64, i1, i2, i3: i64, c1, c2, c3: char, e1: Enum1 }
//!   Struct2 = { u1, u2, u3: u64, t1: Struct1, array1: [u16; 7], array2: [i32; 13], e1: Enum1 }
//!   Enum2   = ENUM2_1(Struct2) | ENUM2_2([u16; 5]) | ENUM2_3(u16)
//!   Struct3 = { e1, e2, e3: Enum2 }
//! Postcard: unsigned integers are LEB128 varints (u16 at most 3 bytes, u32 5, u64 10, the last
//! byte bounded as postcard does), signed ones zigzag varints, f64 8 bytes little-endian, a char
//! its UTF-8 bytes after a varint length, a fixed array its elements with no length, a Vec a
//! varint length then its elements.
//! Wrong shapes are refused with a message on stderr and exit code 1, nothing written: a
//! truncated value, an unknown variant, a varint too long, a char that is not exactly one UTF-8
//! scalar value, and (stricter than postcard's `from_bytes`, which ignores them) bytes after the
//! value.

use std::fmt::Write as _;
use std::fs;
use std::process::exit;

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

type R<T> = Result<T, String>;

impl<'a> Reader<'a> {
    fn byte(&mut self) -> R<u8> {
        let b = *self.bytes.get(self.at).ok_or_else(|| format!("input ends at byte {}", self.at))?;
        self.at += 1;
        Ok(b)
    }

    /// A varint of at most `max_bytes` bytes whose last byte is at most `last_max`.
    fn varint(&mut self, max_bytes: usize, last_max: u8, what: &str) -> R<u64> {
        let start = self.at;
        let mut out: u64 = 0;
        for i in 0..max_bytes {
            let b = self.byte()?;
            out |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                if i == max_bytes - 1 && b > last_max {
                    return Err(format!("{} varint at byte {} overflows", what, start));
                }
                return Ok(out);
            }
        }
        Err(format!("{} varint at byte {} is too long", what, start))
    }

    fn u16(&mut self) -> R<u16> {
        Ok(self.varint(3, 0x03, "u16")? as u16)
    }
    fn u32(&mut self) -> R<u32> {
        Ok(self.varint(5, 0x0f, "u32")? as u32)
    }
    fn u64(&mut self) -> R<u64> {
        self.varint(10, 0x01, "u64")
    }
    fn i32(&mut self) -> R<i32> {
        let z = self.u32()?;
        Ok(((z >> 1) as i32) ^ -((z & 1) as i32))
    }
    fn i64(&mut self) -> R<i64> {
        let z = self.u64()?;
        Ok(((z >> 1) as i64) ^ -((z & 1) as i64))
    }
    fn f64(&mut self) -> R<f64> {
        let end = self.at + 8;
        let slice = self.bytes.get(self.at..end).ok_or_else(|| format!("input ends in an f64 at byte {}", self.at))?;
        self.at = end;
        let mut raw = [0u8; 8];
        raw.copy_from_slice(slice);
        Ok(f64::from_le_bytes(raw))
    }
    fn char(&mut self) -> R<char> {
        let start = self.at;
        let len = self.u32()? as usize;
        if len == 0 || len > 4 {
            return Err(format!("char at byte {} has length {}", start, len));
        }
        let end = self.at + len;
        let slice = self.bytes.get(self.at..end).ok_or_else(|| format!("input ends in a char at byte {}", start))?;
        self.at = end;
        let text = std::str::from_utf8(slice).map_err(|_| format!("char at byte {} is not UTF-8", start))?;
        let mut chars = text.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => Ok(c),
            _ => Err(format!("char at byte {} is not one character", start)),
        }
    }
    /// An enum's variant index.
    fn variant(&mut self, count: u32, what: &str) -> R<u32> {
        let start = self.at;
        let v = self.u32()?;
        if v >= count {
            return Err(format!("{} at byte {} has no variant {}", what, start, v));
        }
        Ok(v)
    }
}

/// serde_json's f64: ryu's shortest digits in ryu's layout; NaN and infinities are `null`.
fn json_f64(out: &mut String, x: f64) {
    if !x.is_finite() {
        out.push_str("null");
        return;
    }
    if x == 0.0 {
        out.push_str(if x.is_sign_negative() { "-0.0" } else { "0.0" });
        return;
    }
    // `{:e}` gives the shortest round-trip digits: d[.ddd]e<exp>.
    let sci = format!("{:e}", x);
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let exp: i32 = exp.parse().unwrap_or(0);
    let n = digits.len() as i32;
    let kk = exp + 1; // 10^(kk-1) <= |x| < 10^kk
    let k = kk - n; // |x| = digits * 10^k
    if negative {
        out.push('-');
    }
    if k >= 0 && kk <= 16 {
        out.push_str(&digits);
        for _ in n..kk {
            out.push('0');
        }
        out.push_str(".0");
    } else if kk > 0 && kk <= 16 {
        out.push_str(&digits[..kk as usize]);
        out.push('.');
        out.push_str(&digits[kk as usize..]);
    } else if kk > -5 && kk <= 0 {
        out.push_str("0.");
        for _ in 0..-kk {
            out.push('0');
        }
        out.push_str(&digits);
    } else {
        out.push_str(&digits[..1]);
        if n > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let _ = write!(out, "e{}", kk - 1);
    }
}

/// serde_json's string escaping: `"`, `\`, and control characters below U+0020.
fn json_char(out: &mut String, c: char) {
    out.push('"');
    match c {
        '"' => out.push_str("\\\""),
        '\\' => out.push_str("\\\\"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if (c as u32) < 0x20 => {
            let _ = write!(out, "\\u{:04x}", c as u32);
        }
        c => out.push(c),
    }
    out.push('"');
}

fn enum1(r: &mut Reader, out: &mut String) -> R<()> {
    match r.variant(4, "Enum1")? {
        0 => {
            let _ = write!(out, "{{\"ENUM1_1\":{}}}", r.u32()?);
        }
        1 => {
            let _ = write!(out, "{{\"ENUM1_2\":{}}}", r.i64()?);
        }
        2 => {
            out.push_str("{\"ENUM1_3\":");
            json_char(out, r.char()?);
            out.push('}');
        }
        _ => {
            out.push_str("{\"ENUM1_4\":[");
            for i in 0..11 {
                if i > 0 {
                    out.push(',');
                }
                json_char(out, r.char()?);
            }
            out.push_str("]}");
        }
    }
    Ok(())
}

fn struct1(r: &mut Reader, out: &mut String) -> R<()> {
    for (i, name) in ["f1", "f2", "f3"].iter().enumerate() {
        out.push_str(if i == 0 { "{\"" } else { ",\"" });
        out.push_str(name);
        out.push_str("\":");
        json_f64(out, r.f64()?);
    }
    for name in ["i1", "i2", "i3"] {
        let _ = write!(out, ",\"{}\":{}", name, r.i64()?);
    }
    for name in ["c1", "c2", "c3"] {
        let _ = write!(out, ",\"{}\":", name);
        json_char(out, r.char()?);
    }
    out.push_str(",\"e1\":");
    enum1(r, out)?;
    out.push('}');
    Ok(())
}

fn struct2(r: &mut Reader, out: &mut String) -> R<()> {
    let _ = write!(out, "{{\"u1\":{}", r.u64()?);
    let _ = write!(out, ",\"u2\":{}", r.u64()?);
    let _ = write!(out, ",\"u3\":{}", r.u64()?);
    out.push_str(",\"t1\":");
    struct1(r, out)?;
    out.push_str(",\"array1\":[");
    for i in 0..7 {
        let _ = write!(out, "{}{}", if i > 0 { "," } else { "" }, r.u16()?);
    }
    out.push_str("],\"array2\":[");
    for i in 0..13 {
        let _ = write!(out, "{}{}", if i > 0 { "," } else { "" }, r.i32()?);
    }
    out.push_str("],\"e1\":");
    enum1(r, out)?;
    out.push('}');
    Ok(())
}

fn enum2(r: &mut Reader, out: &mut String) -> R<()> {
    match r.variant(3, "Enum2")? {
        0 => {
            out.push_str("{\"ENUM2_1\":");
            struct2(r, out)?;
            out.push('}');
        }
        1 => {
            out.push_str("{\"ENUM2_2\":[");
            for i in 0..5 {
                let _ = write!(out, "{}{}", if i > 0 { "," } else { "" }, r.u16()?);
            }
            out.push_str("]}");
        }
        _ => {
            let _ = write!(out, "{{\"ENUM2_3\":{}}}", r.u16()?);
        }
    }
    Ok(())
}

fn convert(bytes: &[u8]) -> R<String> {
    let mut r = Reader { bytes, at: 0 };
    let count = r.u32()?;
    let mut out = String::with_capacity(bytes.len() * 3);
    out.push('[');
    for i in 0..count {
        if i > 0 {
            out.push(',');
        }
        for (j, name) in ["e1", "e2", "e3"].iter().enumerate() {
            out.push_str(if j == 0 { "{\"" } else { ",\"" });
            out.push_str(name);
            out.push_str("\":");
            enum2(&mut r, &mut out)?;
        }
        out.push('}');
    }
    out.push(']');
    if r.at != bytes.len() {
        return Err(format!("{} bytes after the value", bytes.len() - r.at));
    }
    Ok(out)
}

fn main() {
    let input = fs::read("/input/postcard.dat").unwrap_or_else(|e| {
        eprintln!("cannot read /input/postcard.dat: {}", e);
        exit(1)
    });
    let json = convert(&input).unwrap_or_else(|e| {
        eprintln!("/input/postcard.dat is not a postcard Vec<Struct3>: {}", e);
        exit(1)
    });
    if let Err(e) = fs::write("/output/postcard_wasm.txt", json) {
        eprintln!("cannot write /output/postcard_wasm.txt: {}", e);
        exit(1)
    }
}
