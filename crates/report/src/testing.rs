//! Fixtures shared by the unit tests of this crate.

use policytag_data::LabelInfo;

/// `n` themes `t0`, `t1`, … named `主题0`, `主题1`, …
pub fn themes(n: usize) -> Vec<LabelInfo> {
    (0..n)
        .map(|i| LabelInfo {
            id: format!("t{i}"),
            name: format!("主题{i}"),
            description: String::new(),
        })
        .collect()
}
