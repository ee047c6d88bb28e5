//! Measuring: the plan, the worker and its process, statistics, verification, and the run that ties them.

pub mod plan;
pub mod run;
pub mod stats;
pub mod verify;
pub mod worker;
