//! CSV output: one field quoted when it needs to be (RFC 4180).

/// A CSV field: quoted (with `"` doubled) when it holds a comma, a quote or a line break.
pub fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(field("学前教育"), "学前教育");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("说“好”\"x\""), "\"说“好”\"\"x\"\"\"");
    }
}
