//! The jobs, in memory, with CodePipeline's rules for closing them. Every change is written to
//! the state file when there is one, so `stackflow-local status` can answer after a restart.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use serde::{Deserialize, Serialize};

use crate::error::JobServiceError;
use crate::job::JobEntry;
use crate::model::{
    ClosedBy, CurrentRevision, ExecutionDetails, FailureDetails, JobRecord, JobStatus,
};

/// What PutJobSuccessResult reports, validated.
#[derive(Debug, Clone, Default)]
pub struct SuccessReport {
    pub current_revision: Option<CurrentRevision>,
    pub continuation_token: Option<String>,
    pub execution_details: Option<ExecutionDetails>,
    pub output_variables: BTreeMap<String, String>,
}

/// The state file's contents.
#[derive(Debug, Default, Serialize, Deserialize)]
struct StateFile {
    jobs: Vec<JobEntry>,
}

#[derive(Debug)]
pub struct Store {
    jobs: Mutex<BTreeMap<String, JobEntry>>,
    state_file: Option<PathBuf>,
}

impl Store {
    /// An empty store, or the jobs of the state file when it exists.
    pub fn open(state_file: Option<PathBuf>) -> Result<Self, JobServiceError> {
        let jobs = match &state_file {
            Some(path) if path.exists() => load(path)?,
            _ => BTreeMap::new(),
        };
        Ok(Store {
            jobs: Mutex::new(jobs),
            state_file,
        })
    }

    pub fn insert(&self, entry: JobEntry) {
        let mut jobs = self.lock();
        jobs.insert(entry.record.id.clone(), entry);
        self.persist(&jobs);
    }

    pub fn get(&self, id: &str) -> Option<JobEntry> {
        self.lock().get(id).cloned()
    }

    /// All job records, oldest first.
    pub fn records(&self) -> Vec<JobRecord> {
        let mut records: Vec<JobRecord> = self
            .lock()
            .values()
            .map(|entry| entry.record.clone())
            .collect();
        records.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        records
    }

    /// Jobs still waiting for a report, with their creation time (epoch ms).
    pub fn open_jobs(&self) -> Vec<(String, u64)> {
        self.lock()
            .values()
            .filter(|entry| entry.record.status == JobStatus::InProgress)
            .map(|entry| (entry.record.id.clone(), entry.record.created_at))
            .collect()
    }

    /// PutJobSuccessResult. With a continuation token the job closes as succeeded-in-progress and
    /// the returned job continues the action.
    pub fn succeed(
        &self,
        id: &str,
        report: SuccessReport,
        now_ms: u64,
    ) -> Result<Option<JobEntry>, JobServiceError> {
        let mut jobs = self.lock();
        let result = open_job(&mut jobs, id).map(|entry| {
            let record = &mut entry.record;
            record.status = JobStatus::Succeeded;
            record.closed_at = Some(now_ms);
            record.current_revision = report.current_revision;
            record.execution_details = report.execution_details;
            record.output_variables =
                Some(report.output_variables).filter(|variables| !variables.is_empty());
            match report.continuation_token {
                Some(token) => {
                    record.closed_by = Some(ClosedBy::ContinuationToken);
                    record.continuation_token = Some(token.clone());
                    let next = entry.continuation(&token, now_ms);
                    entry.record.next_job_id = Some(next.record.id.clone());
                    Some(next)
                }
                None => {
                    record.closed_by = Some(ClosedBy::Success);
                    None
                }
            }
        });
        if let Ok(Some(next)) = &result {
            jobs.insert(next.record.id.clone(), next.clone());
        }
        self.persist(&jobs);
        result
    }

    /// PutJobFailureResult.
    pub fn fail(
        &self,
        id: &str,
        details: FailureDetails,
        now_ms: u64,
    ) -> Result<(), JobServiceError> {
        let mut jobs = self.lock();
        let result = open_job(&mut jobs, id).map(|entry| {
            close_failed(&mut entry.record, ClosedBy::Failure, details, now_ms);
        });
        self.persist(&jobs);
        result
    }

    /// Fail a job nobody answered for (reply timeout, failed invocation), if it is still open.
    /// Returns whether it was.
    pub fn fail_unanswered(
        &self,
        id: &str,
        closed_by: ClosedBy,
        message: String,
        now_ms: u64,
    ) -> bool {
        let mut jobs = self.lock();
        let Some(entry) = jobs.get_mut(id) else {
            return false;
        };
        if entry.record.status != JobStatus::InProgress {
            return false;
        }
        let details = FailureDetails {
            failure_type: "JobFailed".to_string(),
            message,
            external_execution_id: None,
        };
        close_failed(&mut entry.record, closed_by, details, now_ms);
        self.persist(&jobs);
        true
    }

    /// Stop the pipeline at an open job, as stopping (or superseding) the pipeline execution
    /// does: the job is closed failed and CodePipeline refuses any later result for it.
    pub fn stop(&self, id: &str, now_ms: u64) -> Result<JobRecord, JobServiceError> {
        let mut jobs = self.lock();
        let entry = open_job(&mut jobs, id)?;
        let details = FailureDetails {
            failure_type: "JobFailed".to_string(),
            message: "The pipeline execution was stopped; the action was abandoned.".to_string(),
            external_execution_id: None,
        };
        close_failed(&mut entry.record, ClosedBy::Stopped, details, now_ms);
        let record = entry.record.clone();
        self.persist(&jobs);
        Ok(record)
    }

    /// AcknowledgeJob: the job's status in the API's `JobStatus` terms.
    pub fn acknowledge(&self, id: &str) -> Result<&'static str, JobServiceError> {
        let mut jobs = self.lock();
        let entry = jobs.get_mut(id).ok_or_else(|| not_found(id))?;
        entry.record.acknowledged = true;
        let status = match (entry.record.status, entry.record.closed_by) {
            (JobStatus::Failed, Some(ClosedBy::Timeout)) => "TimedOut",
            (status, _) => status.as_str(),
        };
        self.persist(&jobs);
        Ok(status)
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<String, JobEntry>> {
        // A panic elsewhere never leaves a job half-written: every change is one assignment
        // sequence under the lock, so the data is still usable.
        self.jobs.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn persist(&self, jobs: &BTreeMap<String, JobEntry>) {
        let Some(path) = &self.state_file else { return };
        let contents = StateFile {
            jobs: jobs.values().cloned().collect(),
        };
        if let Err(error) = write_atomically(path, &contents) {
            tracing::warn!(path = %path.display(), %error, "could not write the job state file");
        }
    }
}

/// The job, if it exists and is open; a report on a closed job is counted and refused.
fn open_job<'a>(
    jobs: &'a mut BTreeMap<String, JobEntry>,
    id: &str,
) -> Result<&'a mut JobEntry, JobServiceError> {
    let entry = jobs.get_mut(id).ok_or_else(|| not_found(id))?;
    if entry.record.status != JobStatus::InProgress {
        entry.record.reports_after_close += 1;
        let closed_by = entry
            .record
            .closed_by
            .map(|closed_by| format!(" ({closed_by:?})"))
            .unwrap_or_default();
        return Err(JobServiceError::InvalidJobState(format!(
            "Job {id} is in state {}{closed_by} and cannot take another result",
            entry.record.status.as_str()
        )));
    }
    Ok(entry)
}

fn close_failed(record: &mut JobRecord, closed_by: ClosedBy, details: FailureDetails, now_ms: u64) {
    record.status = JobStatus::Failed;
    record.closed_by = Some(closed_by);
    record.failure_details = Some(details);
    record.closed_at = Some(now_ms);
}

fn not_found(id: &str) -> JobServiceError {
    JobServiceError::JobNotFound(format!("The job was not found: {id}"))
}

fn load(path: &Path) -> Result<BTreeMap<String, JobEntry>, JobServiceError> {
    let error = |message: String| JobServiceError::StateFile {
        path: path.to_path_buf(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| error(e.to_string()))?;
    let contents: StateFile = serde_json::from_str(&text).map_err(|e| error(e.to_string()))?;
    Ok(contents
        .jobs
        .into_iter()
        .map(|entry| (entry.record.id.clone(), entry))
        .collect())
}

/// Write to a sibling temporary file and rename, so a reader never sees half a file.
fn write_atomically(path: &Path, contents: &StateFile) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let json = serde_json::to_vec_pretty(contents).map_err(std::io::Error::other)?;
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    std::fs::write(&temporary, json)?;
    std::fs::rename(&temporary, path)
}

#[cfg(test)]
#[path = "store_tests.rs"]
mod tests;
