//! Labels (themes): ids with display names, and the themes TOML file that names them.
//!
//! ```toml
//! [[theme]]
//! id = "double-reduction"
//! name = "双减与课后服务"
//! description = "…"   # optional
//! ```

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A label with its display name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelInfo {
    /// The label id used in data and output (`double-reduction`).
    pub id: String,
    /// Display name (`双减与课后服务`); the id when none was given.
    pub name: String,
    /// One-line description, possibly empty.
    #[serde(default)]
    pub description: String,
}

#[derive(Deserialize)]
struct ThemesFile {
    theme: Vec<LabelInfo>,
}

/// The themes of a TOML file (`[[theme]]` entries with `id`, `name`, `description`?), in
/// file order.
pub fn parse_themes(path: &Path, content: &str) -> Result<Vec<LabelInfo>> {
    let t: ThemesFile = toml::from_str(content).map_err(|e| Error::File {
        path: path.to_path_buf(),
        msg: e.message().to_string(),
    })?;
    Ok(t.theme)
}

/// Read a themes TOML file.
pub fn read_themes(path: &Path) -> Result<Vec<LabelInfo>> {
    let bytes =
        crate::jsonl::read_limited(path, policytag_tokenizer::limits::CONFIG, "a themes file")?;
    let content = String::from_utf8(bytes).map_err(|_| Error::File {
        path: path.to_path_buf(),
        msg: "not valid UTF-8".into(),
    })?;
    parse_themes(path, &content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn themes_file_gives_names_and_errors_name_the_file() {
        let t = parse_themes(
            Path::new("t.toml"),
            "[[theme]]\nid = \"safety\"\nname = \"校园安全\"\n",
        )
        .unwrap();
        assert_eq!(
            (t[0].id.as_str(), t[0].name.as_str()),
            ("safety", "校园安全")
        );
        assert_eq!(t[0].description, "");
        let e = parse_themes(Path::new("t.toml"), "[[theme]]\nname = 3\n").unwrap_err();
        assert!(e.to_string().starts_with("t.toml: "), "{e}");
    }
}
