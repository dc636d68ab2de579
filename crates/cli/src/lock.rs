//! One hubctl at a time per working folder: `.hubctl/lock` holds the pid of the run that
//! applies (or drives the local cloud). Two applies — or two commands on one local cloud, whose
//! state file they share — cannot interleave. A lock left by a run that died (killed, crashed)
//! is taken over, since its pid no longer runs.

use std::io::Write;
use std::path::{Path, PathBuf};

/// A held lock; dropped, it is released.
pub struct Lock {
    path: PathBuf,
}

/// The lock's file.
pub fn path() -> PathBuf {
    Path::new(crate::context::LOCAL_DIR).join("lock")
}

fn alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

/// Take the lock, or say who holds it.
pub fn acquire() -> Result<Lock, String> {
    let path = path();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    for _ in 0..2 {
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(mut file) => {
                let _ = writeln!(file, "{}", std::process::id());
                return Ok(Lock { path });
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let holder =
                    std::fs::read_to_string(&path).ok().and_then(|t| t.trim().parse::<u32>().ok());
                match holder {
                    Some(pid) if pid != std::process::id() && alive(pid) => {
                        return Err(format!(
                            "another hubctl (pid {pid}) is working in this folder ({}); wait for it to finish",
                            path.display()
                        ));
                    }
                    // Its owner is gone: take it over.
                    _ => {
                        let _ = std::fs::remove_file(&path);
                    }
                }
            }
            Err(e) => return Err(format!("cannot create {}: {e}", path.display())),
        }
    }
    Err(format!("cannot take the lock {}", path.display()))
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}
