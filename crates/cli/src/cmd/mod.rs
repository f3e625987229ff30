//! One module per subcommand.

pub mod annotate;
pub mod corpus_stats;
pub mod eval;
pub mod labels;
pub mod segment;
pub mod tag;
pub mod tokenize;
pub mod train;
