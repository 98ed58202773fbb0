use std::path::Path;

use crate::cmd::{self, cargo, Result};

pub fn run(ws: &Path) -> Result {
    native(ws)
}

fn native(ws: &Path) -> Result {
    cmd::run(cargo(ws).args(["build", "--release", "--workspace"]))
}
