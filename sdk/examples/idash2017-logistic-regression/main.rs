//! idash2017-logistic-regression (Rust, std only): Veracruz's port of the IDASH 2017 logistic
//! regression (Nesterov-accelerated gradient descent with a polynomial sigmoid), same formulas,
//! same order of operations, so the bytes are Veracruz's.
//!
//! Inputs:  /input/idash2017/<name>  postcard `(Vec<Vec<f64>>, Vec<Vec<f64>>, u64, u64, i64, i64)`:
//!          (training set, test set, iterations, sigmoid degree, gamma_up, gamma_down); a row is
//!          [y, x1, ..., xn] with y = 1.0 or -1.0. A missing folder is no dataset.
//! Outputs: /output/idash2017/<name>  postcard `(Vec<f64>, f64, f64)`: the weights, the percentage
//!          of test rows classified correctly, the AUC.
//! Per iteration i (alpha0 = 0.01, alpha1 = (1 + sqrt(1 + 4 alpha0^2)) / 2, both columns-normalised
//! by their maximum absolute value first):
//!   eta = (1 - alpha0) / alpha1; gamma = up / down / n if down > 0, else up / (i - down) / n;
//!   ip = X v; grad_j = gamma * sum_r sig(ip_r) X_rj, sig by degree 3, 5 or 7 (powi by squaring);
//!   w' = v - grad; v' = (1 - eta) w' + eta w.
//! Wrong shapes are refused with a message on stderr and exit code 1, before anything is written
//! (Veracruz's port errors on the first three, and silently truncates or guesses on the others):
//! a value that is not that postcard tuple (truncated, an overlong varint, bytes after it), an
//! empty training or test set, rows of different lengths, a sigmoid degree other than 3, 5 or 7.

use std::fs;
use std::process::exit;

type Dataset = Vec<Vec<f64>>;

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn varint(&mut self, max_bytes: usize, last_max: u8) -> Result<u64, String> {
        let start = self.at;
        let mut out: u64 = 0;
        for i in 0..max_bytes {
            let b = *self.bytes.get(self.at).ok_or_else(|| format!("input ends at byte {}", self.at))?;
            self.at += 1;
            out |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                if i == max_bytes - 1 && b > last_max {
                    return Err(format!("varint at byte {} overflows", start));
                }
                return Ok(out);
            }
        }
        Err(format!("varint at byte {} is too long", start))
    }
    fn len(&mut self) -> Result<usize, String> {
        Ok(self.varint(5, 0x0f)? as usize)
    }
    fn u64(&mut self) -> Result<u64, String> {
        self.varint(10, 0x01)
    }
    fn i64(&mut self) -> Result<i64, String> {
        let z = self.u64()?;
        Ok(((z >> 1) as i64) ^ -((z & 1) as i64))
    }
    fn f64(&mut self) -> Result<f64, String> {
        let slice = self.bytes.get(self.at..self.at + 8).ok_or_else(|| format!("input ends in an f64 at byte {}", self.at))?;
        self.at += 8;
        let mut raw = [0u8; 8];
        raw.copy_from_slice(slice);
        Ok(f64::from_le_bytes(raw))
    }
    fn dataset(&mut self, what: &str) -> Result<Dataset, String> {
        let rows = self.len()?;
        if rows == 0 {
            return Err(format!("the {} set is empty", what));
        }
        let mut out = Vec::new();
        for r in 0..rows {
            let n = self.len()?;
            if n > (self.bytes.len() - self.at) / 8 {
                return Err(format!("input ends in row {} of the {} set", r, what));
            }
            let mut row = Vec::with_capacity(n);
            for _ in 0..n {
                row.push(self.f64()?);
            }
            out.push(row);
        }
        Ok(out)
    }
}

struct Task {
    train: Dataset,
    test: Dataset,
    iterations: u64,
    degree: u64,
    gamma_up: i64,
    gamma_down: i64,
}

fn parse(bytes: &[u8]) -> Result<Task, String> {
    let mut r = Reader { bytes, at: 0 };
    let train = r.dataset("training")?;
    let test = r.dataset("test")?;
    let task = Task { train, test, iterations: r.u64()?, degree: r.u64()?, gamma_up: r.i64()?, gamma_down: r.i64()? };
    if r.at != bytes.len() {
        return Err(format!("{} bytes after the value", bytes.len() - r.at));
    }
    let width = task.train[0].len();
    if width == 0 {
        return Err("rows are empty".to_string());
    }
    for (what, set) in [("training", &task.train), ("test", &task.test)] {
        if let Some(i) = set.iter().position(|row| row.len() != width) {
            return Err(format!("row {} of the {} set has {} values, not {}", i, what, set[i].len(), width));
        }
    }
    if ![3, 5, 7].contains(&task.degree) {
        return Err(format!("sigmoid degree {} is not 3, 5 or 7", task.degree));
    }
    Ok(task)
}

fn normalize(dataset: &mut Dataset) {
    let mut max = vec![0.0f64; dataset[0].len()];
    for row in dataset.iter() {
        for (m, x) in max.iter_mut().zip(row) {
            *m = m.abs().max(x.abs());
        }
    }
    for row in dataset.iter_mut() {
        for (d, m) in row.iter_mut().zip(&max) {
            *d /= *m;
        }
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = 0.0;
    for (x, y) in a.iter().zip(b) {
        acc = acc + x * y;
    }
    acc
}

const DEGREE_3: [f64; 3] = [-0.5, 0.15012, -0.001593];
const DEGREE_5: [f64; 4] = [-0.5, 0.19131, -0.0045963, 0.0000412332];
const DEGREE_7: [f64; 5] = [-0.5, 0.216884, -0.00819276, 0.000165861, -0.00000119581];

fn sigmoid(degree: u64, ip: f64) -> f64 {
    match degree {
        3 => DEGREE_3[0] + DEGREE_3[1] * ip + DEGREE_3[2] * ip.powi(3),
        5 => DEGREE_5[0] + DEGREE_5[1] * ip + DEGREE_5[2] * ip.powi(3) + DEGREE_5[3] * ip.powi(5),
        _ => {
            DEGREE_7[0]
                + DEGREE_7[1] * ip
                + DEGREE_7[2] * ip.powi(3)
                + DEGREE_7[3] * ip.powi(5)
                + DEGREE_7[4] * ip.powi(7)
        }
    }
}

fn train(task: &mut Task) -> (Vec<f64>, f64, f64) {
    let n = task.train.len();
    normalize(&mut task.train);
    normalize(&mut task.test);
    let width = task.train[0].len();
    let mut w = vec![0.0f64; width];
    let mut v = vec![0.0f64; width];
    let mut alpha0: f64 = 0.01;
    let mut alpha1: f64 = (1.0 + (1.0 + 4.0 * alpha0 * alpha0).sqrt()) / 2.0;
    for iter in 0..task.iterations {
        let eta = (1.0 - alpha0) / alpha1;
        let gamma = if task.gamma_down > 0 {
            task.gamma_up as f64 / task.gamma_down as f64 / n as f64
        } else {
            task.gamma_up as f64 / (iter as f64 - task.gamma_down as f64) / n as f64
        };
        let mut grad = vec![0.0f64; width];
        for row in task.train.iter() {
            let weight = sigmoid(task.degree, dot(row, &v));
            for (g, x) in grad.iter_mut().zip(row) {
                *g = *g + weight * x;
            }
        }
        let new_w: Vec<f64> = v.iter().zip(&grad).map(|(v, g)| v - g * gamma).collect();
        v = w.iter().zip(&new_w).map(|(w, t)| (1.0 - eta) * t + eta * w).collect();
        w = new_w;
        alpha0 = alpha1;
        alpha1 = (1.0 + (1.0 + 4.0 * alpha0 * alpha0).sqrt()) / 2.0;
    }
    // Quality on the test set (Veracruz's names: "tn" counts misclassified positives).
    let (mut tn, mut fp) = (0.0f64, 0.0f64);
    let (mut theta_tn, mut theta_fp) = (Vec::new(), Vec::new());
    for row in task.test.iter() {
        let y = row[0];
        let wrong = dot(row, &w) < 0.0;
        let theta = y * dot(&row[1..], &w[1..]);
        if y > 0.0 {
            if wrong {
                tn += 1.0;
            }
            theta_tn.push(theta);
        } else {
            if wrong {
                fp += 1.0;
            }
            theta_fp.push(theta);
        }
    }
    let correct = 100.0 - (100.0 * (tn + fp) / task.test.len() as f64);
    let mut auc = 0.0f64;
    for t in &theta_tn {
        for f in &theta_fp {
            auc = auc + if f <= t { 1.0 } else { 0.0 };
        }
    }
    let auc = auc / (theta_tn.len() * theta_fp.len()) as f64;
    (w, correct, auc)
}

fn varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8 & 0x7f) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn main() {
    let mut names: Vec<String> = match fs::read_dir("/input/idash2017") {
        Ok(entries) => entries
            .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
            .collect::<Result<_, _>>()
            .unwrap_or_else(|e| {
                eprintln!("cannot list /input/idash2017: {}", e);
                exit(1)
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => {
            eprintln!("cannot list /input/idash2017: {}", e);
            exit(1)
        }
    };
    names.sort();
    let mut results = Vec::new();
    for name in &names {
        let path = format!("/input/idash2017/{}", name);
        let bytes = fs::read(&path).unwrap_or_else(|e| {
            eprintln!("cannot read {}: {}", path, e);
            exit(1)
        });
        let mut task = parse(&bytes).unwrap_or_else(|e| {
            eprintln!("{} is not an idash2017 dataset: {}", path, e);
            exit(1)
        });
        let (w, correct, auc) = train(&mut task);
        let mut out = Vec::new();
        varint(&mut out, w.len() as u64);
        for x in w.iter().chain([correct, auc].iter()) {
            out.extend_from_slice(&x.to_le_bytes());
        }
        results.push((name, out));
    }
    if !results.is_empty() {
        if let Err(e) = fs::create_dir_all("/output/idash2017") {
            eprintln!("cannot create /output/idash2017: {}", e);
            exit(1)
        }
    }
    for (name, out) in results {
        let path = format!("/output/idash2017/{}", name);
        if let Err(e) = fs::write(&path, out) {
            eprintln!("cannot write {}: {}", path, e);
            exit(1)
        }
    }
}
