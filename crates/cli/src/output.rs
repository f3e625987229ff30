//! Output: the library's atomic [`Sink`] and input-as-output check, and whole outputs.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

pub use policytag_data::atomic::{refuse_input_as_output, Sink};

/// Write `bytes` to `path` atomically, or to stdout when there is no path.
pub fn write_all(path: Option<&Path>, bytes: &[u8]) -> Result<()> {
    let mut sink = Sink::open(path)?;
    sink.write_all(bytes).context("writing output")?;
    Ok(sink.finish()?)
}

/// The first five items joined by `, `, then `, …` when there are more (for notices).
pub fn first_five<T: std::fmt::Display>(items: &[T]) -> String {
    let shown: Vec<String> = items.iter().take(5).map(T::to_string).collect();
    let more = if items.len() > 5 { ", …" } else { "" };
    format!("{}{more}", shown.join(", "))
}
