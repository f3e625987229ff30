//! `policytag`: tag the paragraphs of Chinese education-bureau reports by policy theme.
//!
//! The binary is thin: it parses arguments into a validated configuration, calls the
//! library crates, prints, and maps errors to exit codes (0 success, 2 bad usage or bad
//! input, 1 anything else).

mod args;
mod cmd;
mod corpus;
mod exit;
mod input;
mod output;
mod tagging;

use std::process::ExitCode;

use clap::Parser;

/// `--threads` is capped at this many threads per core (more only adds memory and
/// contention).
const MAX_THREADS_PER_CORE: usize = 4;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    let threads = cli.threads.map(|n| {
        let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
        let most = MAX_THREADS_PER_CORE * cores;
        if n > most {
            eprintln!(
                "policytag: note: --threads {n} is more than {MAX_THREADS_PER_CORE} per core; using {most}"
            );
            most
        } else {
            n
        }
    });
    if let Err(e) = policytag_pipeline::set_threads(threads) {
        return exit::report(Err(e.into()));
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
