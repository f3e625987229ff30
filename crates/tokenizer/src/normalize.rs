//! Character normalisation: full-width ASCII to half-width, traditional to simplified script.
//!
//! Each step is a [`Normalize`] stage; [`Normalizer`] composes the enabled ones in order.
//! Stages borrow the input unchanged when they have nothing to do, so simplified,
//! half-width text (the common case) costs one scan.

use std::borrow::Cow;

use ferrous_opencc::{config::BuiltinConfig, OpenCC};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// One normalisation stage.
pub trait Normalize: Send + Sync {
    /// Normalise `text`, borrowing it when nothing changes.
    fn normalize<'a>(&self, text: &'a str) -> Cow<'a, str>;
}

/// Full-width ASCII forms (U+FF01–U+FF5E) and the ideographic space become their
/// half-width ASCII counterparts. Maps one char to one char, so offsets are preserved.
#[derive(Debug, Clone, Copy, Default)]
pub struct FullWidth;

/// Fold one character from full-width to half-width (identity for other characters).
#[inline]
pub fn fold_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

impl Normalize for FullWidth {
    fn normalize<'a>(&self, text: &'a str) -> Cow<'a, str> {
        if text.chars().any(|c| fold_width(c) != c) {
            Cow::Owned(text.chars().map(fold_width).collect())
        } else {
            Cow::Borrowed(text)
        }
    }
}

/// The characters that OpenCC's t2s conversion changes, committed as data and checked
/// against the converter by a unit test (regenerate with `POLICYTAG_REGEN=1 cargo test`).
const T2S_TRIGGERS: &str = include_str!("../data/t2s_triggers.txt");

/// Traditional → simplified with OpenCC's `t2s` dictionaries (pure Rust, Apache-2.0).
/// Text without any traditional character is passed through without a dictionary walk.
pub struct Traditional {
    cc: OpenCC,
    bmp: Vec<u64>,
    astral: Vec<char>,
}

impl std::fmt::Debug for Traditional {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Traditional").finish_non_exhaustive()
    }
}

impl Traditional {
    /// Load the embedded t2s dictionaries.
    pub fn new() -> Result<Self> {
        let cc = OpenCC::from_config(BuiltinConfig::T2s)
            .map_err(|e| Error::Dictionary(format!("OpenCC t2s: {e}")))?;
        let mut bmp = vec![0u64; 1024];
        let mut astral = Vec::new();
        for c in T2S_TRIGGERS.trim_end().chars() {
            let u = c as u32;
            if u < 0x10000 {
                bmp[(u >> 6) as usize] |= 1 << (u & 63);
            } else {
                astral.push(c);
            }
        }
        astral.sort_unstable();
        Ok(Traditional { cc, bmp, astral })
    }

    /// True when `c` is changed by t2s conversion.
    #[inline]
    pub fn is_traditional(&self, c: char) -> bool {
        let u = c as u32;
        if u < 0x10000 {
            self.bmp[(u >> 6) as usize] & (1 << (u & 63)) != 0
        } else {
            self.astral.binary_search(&c).is_ok()
        }
    }
}

impl Normalize for Traditional {
    fn normalize<'a>(&self, text: &'a str) -> Cow<'a, str> {
        if text.chars().any(|c| self.is_traditional(c)) {
            Cow::Owned(self.cc.convert(text))
        } else {
            Cow::Borrowed(text)
        }
    }
}

/// Normaliser settings, saved in the model file so training and tagging agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NormalizeSettings {
    /// Fold full-width ASCII to half-width. Default `true`.
    pub fullwidth: bool,
    /// Convert traditional to simplified script. Default `true`.
    pub t2s: bool,
}

impl Default for NormalizeSettings {
    fn default() -> Self {
        NormalizeSettings {
            fullwidth: true,
            t2s: true,
        }
    }
}

/// The enabled [`Normalize`] stages, applied in order: width, then script.
pub struct Normalizer {
    stages: Vec<Box<dyn Normalize>>,
}

impl std::fmt::Debug for Normalizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Normalizer")
            .field("stages", &self.stages.len())
            .finish()
    }
}

impl Normalizer {
    /// Build the stages that `settings` enables.
    pub fn new(settings: NormalizeSettings) -> Result<Self> {
        let mut stages: Vec<Box<dyn Normalize>> = Vec::new();
        if settings.fullwidth {
            stages.push(Box::new(FullWidth));
        }
        if settings.t2s {
            stages.push(Box::new(Traditional::new()?));
        }
        Ok(Normalizer { stages })
    }

    /// Apply every stage in order.
    pub fn normalize<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut cur = Cow::Borrowed(text);
        for stage in &self.stages {
            cur = match cur {
                Cow::Borrowed(s) => stage.normalize(s),
                Cow::Owned(s) => Cow::Owned(stage.normalize(&s).into_owned()),
            };
        }
        cur
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fullwidth_folds_ascii_only() {
        let n = FullWidth;
        assert_eq!(n.normalize("ＡＰＰ１２３％　（一）"), "APP123% (一)");
        assert!(matches!(n.normalize("学前教育"), Cow::Borrowed(_)));
    }

    #[test]
    fn traditional_becomes_simplified() {
        let n = Normalizer::new(NormalizeSettings::default()).unwrap();
        assert_eq!(n.normalize("柳南區學前教育"), "柳南区学前教育");
        assert_eq!(n.normalize("課後服務覆蓋率１００％"), "课后服务覆盖率100%");
        assert!(matches!(n.normalize("课后服务"), Cow::Borrowed(_)));
    }

    /// The committed trigger table must equal what the converter actually changes.
    #[test]
    fn trigger_table_is_current() {
        let cc = OpenCC::from_config(BuiltinConfig::T2s).unwrap();
        let ranges = [(0x3400u32, 0x9FFFu32), (0xF900, 0xFAFF), (0x20000, 0x2FA1F)];
        let mut probe = String::new();
        let mut chars = Vec::new();
        for (lo, hi) in ranges {
            for u in lo..=hi {
                if let Some(c) = char::from_u32(u) {
                    probe.push(c);
                    probe.push('\n');
                    chars.push(c);
                }
            }
        }
        let out = cc.convert(&probe);
        let expected: String = probe
            .split('\n')
            .zip(out.split('\n'))
            .filter(|(a, b)| a != b)
            .filter_map(|(a, _)| a.chars().next())
            .collect();
        if std::env::var_os("POLICYTAG_REGEN").is_some() {
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/t2s_triggers.txt");
            std::fs::write(path, format!("{expected}\n")).unwrap();
        }
        assert_eq!(
            T2S_TRIGGERS.trim_end(),
            expected,
            "regenerate with POLICYTAG_REGEN=1"
        );
    }
}
