//! nop (Rust, std only): does nothing and exits with status 0. No inputs, no outputs; used to
//! measure the cost of provisioning and running a program.

fn main() {}
