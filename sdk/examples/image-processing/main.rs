//! image-processing (Rust, std only): crops an image to its top-left 100 x 100 pixels, as
//! Veracruz's example (image::open, imageops::crop(0, 0, 100, 100), save as PNG).
//!
//! Input:  /input/image-processing.png   a PNG: 8 bits a channel, greyscale, RGB, greyscale with
//!                                       alpha or RGBA, not interlaced (the PNGs Veracruz's
//!                                       generator writes are RGB); every chunk's CRC is checked
//! Output: /output/image-processing.png  a PNG of the same colour type with the top-left
//!                                       min(width, 100) x min(height, 100) pixels: IHDR, one IDAT
//!                                       (zlib, stored blocks, each row filter 0), IEND
//! stdout: "new dimensions: (W, H)", as Veracruz's example prints.
//! A file that is not such a PNG (bad signature or CRC, a palette, 16-bit or sub-byte image, an
//! interlaced one, pixel data of the wrong size) is refused with a message and exit code 1.
//! (Veracruz's image crate also decodes palette, 16-bit and interlaced PNGs and compresses its
//! output; ours says what it does not read, and writes the same pixels uncompressed.)

use std::fs;
use std::process::exit;

const INPUT: &str = "/input/image-processing.png";
const OUTPUT: &str = "/output/image-processing.png";
const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];

fn fail(message: &str) -> ! {
    eprintln!("{}: {}", INPUT, message);
    exit(1)
}

fn crc32(parts: &[&[u8]]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for part in parts {
        for &byte in *part {
            crc ^= byte as u32;
            for _ in 0..8 {
                crc = if crc & 1 != 0 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
            }
        }
    }
    !crc
}

fn be32(bytes: &[u8]) -> u32 {
    u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
}

// ---- inflate (RFC 1951) -------------------------------------------------------------------

struct Bits<'a> {
    data: &'a [u8],
    at: usize,
    bit: u32,
}

impl<'a> Bits<'a> {
    fn get(&mut self, count: u32) -> u32 {
        let mut value = 0;
        for i in 0..count {
            let byte = *self.data.get(self.at).unwrap_or_else(|| fail("compressed data cut short"));
            value |= (((byte >> self.bit) & 1) as u32) << i;
            self.bit += 1;
            if self.bit == 8 {
                self.bit = 0;
                self.at += 1;
            }
        }
        value
    }

    fn align(&mut self) {
        if self.bit != 0 {
            self.bit = 0;
            self.at += 1;
        }
    }
}

/// A canonical Huffman code: counts per length and symbols in code order.
struct Huffman {
    counts: [u16; 16],
    symbols: Vec<u16>,
}

impl Huffman {
    fn new(lengths: &[u8]) -> Huffman {
        let mut counts = [0u16; 16];
        for &l in lengths {
            counts[l as usize] += 1;
        }
        counts[0] = 0;
        let mut offsets = [0u16; 16];
        for i in 1..16 {
            offsets[i] = offsets[i - 1] + counts[i - 1];
        }
        let mut symbols = vec![0u16; lengths.len()];
        for (symbol, &l) in lengths.iter().enumerate() {
            if l != 0 {
                symbols[offsets[l as usize] as usize] = symbol as u16;
                offsets[l as usize] += 1;
            }
        }
        Huffman { counts, symbols }
    }

    fn decode(&self, bits: &mut Bits) -> u16 {
        let (mut code, mut first, mut index) = (0i32, 0i32, 0i32);
        for len in 1..16 {
            code |= bits.get(1) as i32;
            let count = self.counts[len] as i32;
            if code - count < first {
                return self.symbols[(index + (code - first)) as usize];
            }
            index += count;
            first += count;
            first <<= 1;
            code <<= 1;
        }
        fail("bad Huffman code in the compressed data")
    }
}

const LENGTH_BASE: [u16; 29] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA: [u8; 29] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE: [u16; 30] = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DIST_EXTRA: [u8; 30] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];

fn inflate(data: &[u8], limit: usize) -> Vec<u8> {
    // Room for exactly what the image holds: no doubling of a large buffer.
    let mut out = Vec::with_capacity(limit);
    let mut bits = Bits { data, at: 0, bit: 0 };
    loop {
        let last = bits.get(1);
        match bits.get(2) {
            0 => {
                bits.align();
                if bits.at + 4 > data.len() {
                    fail("compressed data cut short");
                }
                let len = u16::from_le_bytes([data[bits.at], data[bits.at + 1]]) as usize;
                let nlen = u16::from_le_bytes([data[bits.at + 2], data[bits.at + 3]]) as usize;
                if len != !nlen & 0xffff {
                    fail("bad stored block in the compressed data");
                }
                bits.at += 4;
                let block = data.get(bits.at..bits.at + len).unwrap_or_else(|| fail("compressed data cut short"));
                out.extend_from_slice(block);
                bits.at += len;
            }
            kind @ (1 | 2) => {
                let (lit, dist) = if kind == 1 {
                    let mut lengths = [0u8; 288];
                    for (i, l) in lengths.iter_mut().enumerate() {
                        *l = if i < 144 { 8 } else if i < 256 { 9 } else if i < 280 { 7 } else { 8 };
                    }
                    (Huffman::new(&lengths), Huffman::new(&[5u8; 30]))
                } else {
                    let hlit = bits.get(5) as usize + 257;
                    let hdist = bits.get(5) as usize + 1;
                    let hclen = bits.get(4) as usize + 4;
                    const ORDER: [usize; 19] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];
                    let mut code_lengths = [0u8; 19];
                    for &i in ORDER.iter().take(hclen) {
                        code_lengths[i] = bits.get(3) as u8;
                    }
                    let code = Huffman::new(&code_lengths);
                    let mut lengths = vec![0u8; hlit + hdist];
                    let mut i = 0;
                    while i < hlit + hdist {
                        let symbol = code.decode(&mut bits);
                        let (value, repeat) = match symbol {
                            0..=15 => (symbol as u8, 1),
                            16 => {
                                if i == 0 {
                                    fail("bad code lengths in the compressed data");
                                }
                                (lengths[i - 1], 3 + bits.get(2) as usize)
                            }
                            17 => (0, 3 + bits.get(3) as usize),
                            _ => (0, 11 + bits.get(7) as usize),
                        };
                        if i + repeat > hlit + hdist {
                            fail("bad code lengths in the compressed data");
                        }
                        for _ in 0..repeat {
                            lengths[i] = value;
                            i += 1;
                        }
                    }
                    (Huffman::new(&lengths[..hlit]), Huffman::new(&lengths[hlit..]))
                };
                loop {
                    let symbol = lit.decode(&mut bits) as usize;
                    if symbol < 256 {
                        out.push(symbol as u8);
                    } else if symbol == 256 {
                        break;
                    } else {
                        let s = symbol - 257;
                        if s >= 29 {
                            fail("bad length in the compressed data");
                        }
                        let len = LENGTH_BASE[s] as usize + bits.get(LENGTH_EXTRA[s] as u32) as usize;
                        let d = dist.decode(&mut bits) as usize;
                        if d >= 30 {
                            fail("bad distance in the compressed data");
                        }
                        let back = DIST_BASE[d] as usize + bits.get(DIST_EXTRA[d] as u32) as usize;
                        if back > out.len() {
                            fail("a distance before the start of the compressed data");
                        }
                        let from = out.len() - back;
                        for k in 0..len {
                            let byte = out[from + k];
                            out.push(byte);
                        }
                    }
                    if out.len() > limit {
                        fail("more pixel data than the image holds");
                    }
                }
            }
            _ => fail("bad block type in the compressed data"),
        }
        if out.len() > limit {
            fail("more pixel data than the image holds");
        }
        if last == 1 {
            return out;
        }
    }
}

// ---- PNG ----------------------------------------------------------------------------------

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = a as i16 + b as i16 - c as i16;
    let (pa, pb, pc) = ((p - a as i16).abs(), (p - b as i16).abs(), (p - c as i16).abs());
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    out.extend_from_slice(&crc32(&[kind, data]).to_be_bytes());
}

fn main() {
    let png = fs::read(INPUT).unwrap_or_else(|e| fail(&e.to_string()));
    if png.len() < 8 || png[..8] != SIGNATURE {
        fail("not a PNG (bad signature)");
    }
    let mut at = 8;
    let mut header: Option<(u32, u32, u8, u8)> = None;
    let mut idat = Vec::new();
    let mut ended = false;
    while !ended {
        if at + 12 > png.len() {
            fail("a chunk cut short");
        }
        let len = be32(&png[at..]) as usize;
        let kind = &png[at + 4..at + 8];
        if len > png.len() - at - 12 {
            fail("a chunk cut short");
        }
        let data = &png[at + 8..at + 8 + len];
        if crc32(&[kind, data]) != be32(&png[at + 8 + len..]) {
            fail(&format!("bad CRC in chunk {}", String::from_utf8_lossy(kind)));
        }
        if header.is_none() && kind != b"IHDR" {
            fail("the first chunk is not IHDR");
        }
        match kind {
            b"IHDR" => {
                if len != 13 || header.is_some() {
                    fail("bad IHDR");
                }
                let (width, height) = (be32(data), be32(&data[4..]));
                let (depth, colour, interlace) = (data[8], data[9], data[12]);
                if width == 0 || height == 0 || width > 0x7fff_ffff || height > 0x7fff_ffff {
                    fail("bad image size");
                }
                if data[10] != 0 || data[11] != 0 {
                    fail("unknown compression or filter method");
                }
                let channels = match colour {
                    0 => 1,
                    2 => 3,
                    4 => 2,
                    6 => 4,
                    3 => fail("palette images are not read (only greyscale, RGB, greyscale-alpha, RGBA)"),
                    _ => fail("bad colour type"),
                };
                if depth != 8 {
                    fail(&format!("{}-bit channels are not read (only 8-bit)", depth));
                }
                if interlace != 0 {
                    fail("interlaced images are not read");
                }
                header = Some((width, height, channels, colour));
            }
            b"IDAT" => idat.extend_from_slice(data),
            b"IEND" => ended = true,
            _ => {
                if kind[0] & 0x20 == 0 {
                    fail(&format!("unknown critical chunk {}", String::from_utf8_lossy(kind)));
                }
            }
        }
        at += 12 + len;
    }
    let (width, height, channels, colour) = header.unwrap_or_else(|| fail("no IHDR"));
    let stride = width as usize * channels as usize;
    let size = (stride + 1).checked_mul(height as usize).unwrap_or_else(|| fail("bad image size"));
    if idat.len() < 6 || (((idat[0] as u16) << 8) | idat[1] as u16) % 31 != 0 || idat[0] & 0x0f != 8 || idat[1] & 0x20 != 0 {
        fail("bad zlib header");
    }
    drop(png);
    let raw = inflate(&idat[2..], size);
    drop(idat);
    if raw.len() != size {
        fail("pixel data of the wrong size");
    }
    // Unfilter every row (the crop needs only the first rows, but every filter byte is checked).
    let bpp = channels as usize;
    let mut pixels = vec![0u8; stride * height as usize];
    for y in 0..height as usize {
        let filter = raw[y * (stride + 1)];
        let line = &raw[y * (stride + 1) + 1..(y + 1) * (stride + 1)];
        for x in 0..stride {
            let a = if x >= bpp { pixels[y * stride + x - bpp] } else { 0 };
            let b = if y > 0 { pixels[(y - 1) * stride + x] } else { 0 };
            let c = if x >= bpp && y > 0 { pixels[(y - 1) * stride + x - bpp] } else { 0 };
            let value = match filter {
                0 => line[x],
                1 => line[x].wrapping_add(a),
                2 => line[x].wrapping_add(b),
                3 => line[x].wrapping_add(((a as u16 + b as u16) / 2) as u8),
                4 => line[x].wrapping_add(paeth(a, b, c)),
                _ => fail("bad filter type"),
            };
            pixels[y * stride + x] = value;
        }
    }
    let (w, h) = (width.min(100), height.min(100));
    println!("new dimensions: ({}, {})", w, h);
    // The crop, rows prefixed by filter 0, in zlib stored blocks of at most 65535 bytes.
    let row = w as usize * bpp;
    let mut filtered = Vec::with_capacity((row + 1) * h as usize);
    for y in 0..h as usize {
        filtered.push(0);
        filtered.extend_from_slice(&pixels[y * stride..y * stride + row]);
    }
    let mut zlib = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = filtered.chunks(65535).collect();
    for (i, block) in blocks.iter().enumerate() {
        zlib.push(if i + 1 == blocks.len() { 1 } else { 0 });
        zlib.extend_from_slice(&(block.len() as u16).to_le_bytes());
        zlib.extend_from_slice(&(!(block.len() as u16)).to_le_bytes());
        zlib.extend_from_slice(block);
    }
    let (mut s1, mut s2) = (1u32, 0u32);
    for &byte in &filtered {
        s1 = (s1 + byte as u32) % 65521;
        s2 = (s2 + s1) % 65521;
    }
    zlib.extend_from_slice(&((s2 << 16) | s1).to_be_bytes());
    let mut out = SIGNATURE.to_vec();
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, colour, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &zlib);
    chunk(&mut out, b"IEND", &[]);
    fs::write(OUTPUT, out).unwrap_or_else(|e| {
        eprintln!("{}: {}", OUTPUT, e);
        exit(1)
    });
}
