use std::ffi::OsStr;
use std::io::ErrorKind;
use std::path::Path;
use std::process::{Command, Stdio};

pub type Result<T = ()> = std::result::Result<T, String>;

/// A `cargo` command in the workspace root, using the cargo that started us so
/// nested builds use the same toolchain.
pub fn cargo(ws: &Path) -> Command {
    let program = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(program);
    cmd.current_dir(ws);
    cmd
}

/// Echoes `cmd` as `==> …`, runs it with the terminal's output, and turns a
/// non-zero exit into an error.
pub fn run(cmd: &mut Command) -> Result {
    let shown = display(cmd);
    println!("==> {shown}");
    // CI has no stdin; a child waiting on one would hang the job.
    let status = cmd
        .stdin(Stdio::null())
        .status()
        .map_err(|e| spawn_error(cmd, e))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{shown}` failed ({status})"))
    }
}

/// Runs `cmd` silently and returns its standard output, or `None` when it
/// exits non-zero. An error only when it cannot be started at all.
pub fn output(cmd: &mut Command) -> Result<Option<String>> {
    let out = cmd
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .map_err(|e| spawn_error(cmd, e))?;
    Ok(out
        .status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned()))
}

fn spawn_error(cmd: &Command, e: std::io::Error) -> String {
    let program = program_name(cmd.get_program());
    if e.kind() == ErrorKind::NotFound {
        format!("`{program}` not found on PATH")
    } else {
        format!("cannot run `{program}`: {e}")
    }
}

fn program_name(program: &OsStr) -> String {
    Path::new(program)
        .file_name()
        .unwrap_or(program)
        .to_string_lossy()
        .into_owned()
}

/// $CARGO is a long toolchain path; `cargo` reads better and reruns the same
/// toolchain from the workspace.
fn shown_program(program: &OsStr) -> String {
    if std::env::var_os("CARGO").is_some_and(|cargo| cargo == program) {
        "cargo".into()
    } else {
        program.to_string_lossy().into_owned()
    }
}

/// The command as one would type it, so a failing step can be rerun by hand.
fn display(cmd: &Command) -> String {
    let mut parts = Vec::new();
    for (key, value) in cmd.get_envs() {
        if let Some(value) = value {
            parts.push(format!(
                "{}={}",
                key.to_string_lossy(),
                value.to_string_lossy()
            ));
        }
    }
    parts.push(shown_program(cmd.get_program()));
    parts.extend(cmd.get_args().map(|a| a.to_string_lossy().into_owned()));
    parts.join(" ")
}
