//! shamir-secret-sharing (Rust, std only): rebuilds a secret from Shamir shares over GF(256).
//!
//! Inputs:  /input/shamir-0.dat, /input/shamir-1.dat, ... read in order until one is missing.
//!          Veracruz's raw share format: byte 0 is the share's x coordinate, then one y byte per
//!          secret byte.
//! Output:  /output/shamir.dat, the raw secret (length = shortest share - 1; empty if no share).

use std::{fs, io};

/// Log and antilog tables of GF(256) with the AES polynomial x^8+x^4+x^3+x+1, generator 3.
struct Field {
    exp: [u8; 510],
    log: [u8; 256],
}

impl Field {
    fn new() -> Field {
        let mut exp = [0u8; 510];
        let mut log = [0u8; 256];
        let mut value: u8 = 1;
        for power in 0..255 {
            exp[power] = value;
            exp[power + 255] = value;
            log[value as usize] = power as u8;
            // value *= 3, i.e. value ^ (value * 2) with reduction.
            let doubled = (value << 1) ^ if value & 0x80 != 0 { 0x1b } else { 0 };
            value ^= doubled;
        }
        Field { exp, log }
    }

    fn mul(&self, a: u8, b: u8) -> u8 {
        if a == 0 || b == 0 {
            return 0;
        }
        self.exp[self.log[a as usize] as usize + self.log[b as usize] as usize]
    }

    fn div(&self, a: u8, b: u8) -> u8 {
        if a == 0 {
            return 0;
        }
        self.exp[self.log[a as usize] as usize + 255 - self.log[b as usize] as usize]
    }

    /// The value at x = 0 of the polynomial through the points (xs[i], ys[i]).
    fn interpolate_at_zero(&self, xs: &[u8], ys: &[u8]) -> u8 {
        let mut sum = 0u8;
        for i in 0..xs.len() {
            let mut basis = 1u8;
            for j in 0..xs.len() {
                if i != j {
                    // l_i(0) = prod x_j / (x_j - x_i); subtraction is xor in GF(2^8).
                    basis = self.mul(basis, self.div(xs[j], xs[j] ^ xs[i]));
                }
            }
            sum ^= self.mul(basis, ys[i]);
        }
        sum
    }
}

fn read_shares() -> io::Result<Vec<Vec<u8>>> {
    let mut shares = Vec::new();
    loop {
        match fs::read(format!("/input/shamir-{}.dat", shares.len())) {
            Ok(share) => shares.push(share),
            Err(e) if e.kind() == io::ErrorKind::NotFound => break,
            Err(e) if e.kind() == io::ErrorKind::PermissionDenied => break,
            Err(e) => return Err(e),
        }
    }
    Ok(shares)
}

fn reconstruct(shares: &[Vec<u8>]) -> Vec<u8> {
    let length = shares.iter().map(|s| s.len()).min().unwrap_or(0);
    if length == 0 {
        return Vec::new();
    }
    let field = Field::new();
    let xs: Vec<u8> = shares.iter().map(|s| s[0]).collect();
    let mut ys = vec![0u8; shares.len()];
    let mut secret = Vec::with_capacity(length - 1);
    for position in 1..length {
        for (y, share) in ys.iter_mut().zip(shares) {
            *y = share[position];
        }
        secret.push(field.interpolate_at_zero(&xs, &ys));
    }
    secret
}

fn main() {
    let shares = match read_shares() {
        Ok(shares) => shares,
        Err(e) => {
            eprintln!("cannot read shares: {}", e);
            std::process::exit(1);
        }
    };
    if let Err(e) = fs::write("/output/shamir.dat", reconstruct(&shares)) {
        eprintln!("cannot write /output/shamir.dat: {}", e);
        std::process::exit(1);
    }
}
