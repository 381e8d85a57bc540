//! Where the local environment keeps its state: `$STACKFLOW_HOME`, or `.stackflow/` in the
//! project. Consecutive runs find the running environment (and so the same stacks) there.

use std::path::{Path, PathBuf};

/// The project root: where this crate's workspace lives (it is in local/environment).
pub fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// The state folder and the files in it.
#[derive(Debug, Clone)]
pub struct Home {
    root: PathBuf,
}

impl Home {
    pub fn from_env() -> Home {
        let root = match std::env::var_os("STACKFLOW_HOME") {
            Some(dir) if !dir.is_empty() => PathBuf::from(dir),
            _ => project_root().join(".stackflow"),
        };
        Home { root }
    }

    pub fn new(root: PathBuf) -> Home {
        Home { root }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }
    /// The running environment's ports and pid, written once it is ready.
    pub fn state_file(&self) -> PathBuf {
        self.root.join("environment.json")
    }
    /// The moto process the environment uses (it outlives a restart of the other services).
    pub fn moto_file(&self) -> PathBuf {
        self.root.join("moto.json")
    }
    pub fn logs(&self) -> PathBuf {
        self.root.join("logs")
    }
    pub fn artifacts(&self) -> PathBuf {
        self.root.join("artifacts")
    }
    /// The IAM actions each function was seen to need (`fault_proxy::CallRecord`), since moto
    /// last started.
    pub fn calls_file(&self) -> PathBuf {
        self.root.join("aws-calls.json")
    }
    pub fn jobs_file(&self) -> PathBuf {
        self.root.join("jobs.json")
    }
    /// moto's virtualenv; shared by every home of the project unless `STACKFLOW_VENV` says otherwise.
    pub fn venv(&self) -> PathBuf {
        match std::env::var_os("STACKFLOW_VENV") {
            Some(dir) if !dir.is_empty() => PathBuf::from(dir),
            _ => project_root().join(".stackflow").join("venv"),
        }
    }
}
