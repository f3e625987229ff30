//! `policytag`: tag the paragraphs of Chinese education-bureau reports by policy theme.
//!
//! The binary is thin: it parses arguments into a validated configuration, calls the
//! library crates, prints, and maps errors to exit codes (0 success, 2 bad usage or bad
//! input, 1 anything else).

mod args;
mod cmd;
mod exit;
mod input;
mod output;
mod tagging;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    match policytag_pipeline::set_threads(cli.threads) {
        Ok(Some(used)) => eprintln!(
            "policytag: note: --threads {} is more than {} per core; using {used}",
            cli.threads.unwrap_or_default(),
            policytag_pipeline::pipeline::MAX_THREADS_PER_CORE
        ),
        Ok(None) => {}
        Err(e) => return exit::report(Err(e.into())),
    }
    let result = match cli.command {
        args::Command::Tag(a) => cmd::tag::run(a),
        args::Command::Annotate(a) => cmd::annotate::run(a),
        args::Command::Train(a) => cmd::train::run(a),
        args::Command::Eval(a) => cmd::eval::run(a),
        args::Command::Segment(a) => cmd::segment::run(a),
        args::Command::Tokenize(a) => cmd::tokenize::run(a),
        args::Command::Labels(a) => cmd::labels::run(a),
        args::Command::CorpusStats(a) => cmd::corpus_stats::run(a),
        args::Command::Import(a) => cmd::import::run(a),
        args::Command::Export(a) => cmd::export::run(a),
        args::Command::Agree(a) => cmd::agree::run(a),
        args::Command::Suggest(a) => cmd::suggest::run(a),
        args::Command::Report(a) => cmd::report::run(a),
        args::Command::Stats(a) => cmd::stats::run(a),
        args::Command::Matrix(a) => cmd::matrix::run(a),
        args::Command::Figures(a) => cmd::figures::run(a),
        args::Command::Explain(a) => cmd::explain::run(a),
    };
    exit::report(result)
}
