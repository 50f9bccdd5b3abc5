//! The `ntn` command.
fn main() {}
