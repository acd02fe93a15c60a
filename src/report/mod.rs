//! Documents: the after-action report of a batch ([`aar`] computes it, [`aar_document`]
//! lays it out once as blocks, [`markdown`] and [`html`] render those, with the charts of
//! [`charts`] and [`gantt`]; JSON and CSV behind [`format`](mod@format)), the run summary table
//! ([`table`]), the exercise packet drawn from a scenario ([`packet`]), the scenario catalogue
//! ([`catalog`]), the trace of one run ([`replay`]) and sweep pages ([`sweep`]).
//!
//! Documents are computed from results and scenarios and returned as text; they never print
//! and never write files (the command line does).

pub mod aar;
pub mod aar_document;
pub mod catalog;
pub mod charts;
pub mod facilitation;
pub mod format;
pub mod gantt;
pub mod html;
pub mod markdown;
pub mod packet;
pub mod replay;
pub mod report_csv;
pub mod sweep;
pub mod table;
