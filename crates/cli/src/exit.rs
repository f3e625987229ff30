//! Mapping errors to one-line messages and exit codes.

use std::process::ExitCode;

/// An error caused by the user's input or arguments (exit code 2).
#[derive(Debug)]
pub struct InputError(pub String);

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InputError {}

/// Outcome of a command that may have partly failed (some inputs bad, the rest done).
pub enum Outcome {
    /// Everything worked.
    Ok,
    /// Some inputs failed; their errors were already printed.
    SomeFailed,
}

impl Outcome {
    /// [`Outcome::SomeFailed`] when `failed`, else [`Outcome::Ok`].
    pub fn failed_if(failed: bool) -> Outcome {
        match failed {
            true => Outcome::SomeFailed,
            false => Outcome::Ok,
        }
    }
}

/// True when any error in the chain is the input's fault.
pub fn is_input_error(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<InputError>().is_some()
            || c.downcast_ref::<policytag_model::Error>()
                .is_some_and(|e| e.is_bad_input())
            || c.downcast_ref::<policytag_pipeline::Error>()
                .is_some_and(|e| e.is_bad_input())
            || c.downcast_ref::<policytag_data::Error>()
                .is_some_and(|e| e.is_bad_input())
            || c.downcast_ref::<policytag_tokenizer::Error>()
                .is_some_and(|e| e.is_bad_input())
            || c.downcast_ref::<policytag_extract::Error>()
                .is_some_and(|e| e.is_bad_input())
            || c.downcast_ref::<policytag_features::Error>().is_some()
            || c.downcast_ref::<policytag_annotate::Error>()
                .is_some_and(|e| e.is_bad_input())
            || c.downcast_ref::<std::io::Error>().is_some_and(|e| {
                matches!(
                    e.kind(),
                    std::io::ErrorKind::NotFound
                        | std::io::ErrorKind::PermissionDenied
                        | std::io::ErrorKind::IsADirectory
                )
            })
    })
}

/// One line: the context chain joined by ": ".
pub fn one_line(e: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for c in e.chain() {
        let s = c.to_string();
        if !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
    }
    parts.join(": ").replace('\n', " ")
}

/// Print an error line and return its exit code.
pub fn print_error(e: &anyhow::Error) -> u8 {
    eprintln!("policytag: error: {}", one_line(e));
    if is_input_error(e) {
        2
    } else {
        1
    }
}

/// Turn a command's result into the process exit code.
pub fn report(result: anyhow::Result<Outcome>) -> ExitCode {
    match result {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::SomeFailed) => ExitCode::from(2),
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            if e.chain().any(|c| {
                matches!(
                    c.downcast_ref::<policytag_model::Error>(),
                    Some(policytag_model::Error::Interrupted)
                ) || matches!(
                    c.downcast_ref::<policytag_pipeline::Error>(),
                    Some(policytag_pipeline::Error::Model(
                        policytag_model::Error::Interrupted
                    ))
                )
            }) {
                eprintln!("policytag: interrupted; nothing was written");
                return ExitCode::from(130);
            }
            ExitCode::from(print_error(&e))
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
