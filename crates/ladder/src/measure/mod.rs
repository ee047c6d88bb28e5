//! Measuring: the plan, the timing policy, the worker and its process, verification, spot checks, and the run
//! that ties them, writing the results document after every worker process.

pub mod doctor;
pub mod header;
pub mod plan;
pub mod policy;
pub mod run;
pub mod spot;
pub mod verify;
pub mod worker;
