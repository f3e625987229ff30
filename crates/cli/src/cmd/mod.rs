//! One module per subcommand.

pub mod agree;
pub mod annotate;
pub mod corpus_stats;
pub mod eval;
pub mod explain;
pub mod export;
pub mod figures;
pub mod import;
pub mod labels;
pub mod matrix;
pub mod report;
pub mod segment;
pub mod stats;
pub mod suggest;
pub mod tag;
pub mod tokenize;
pub mod train;
