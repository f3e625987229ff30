//! One module per subcommand.

pub mod corpus_stats;
pub mod eval;
pub mod explain;
pub mod labels;
pub mod report;
pub mod segment;
pub mod stats;
pub mod tag;
pub mod tokenize;
pub mod train;
