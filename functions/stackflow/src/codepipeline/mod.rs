//! The CodePipeline I/O: the job event that starts a deployment (`job_event`), the job results
//! that end it (`job_result`), and the hand-over of a deployment that outlives one job's reply
//! timeout to the next job (`hand_over`).

pub mod hand_over;
pub mod job_event;
pub mod job_result;
