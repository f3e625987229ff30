//! Why the model tags what it tags: a theme's strongest terms, or for one paragraph each
//! theme given with its score and the terms that carried it (`policytag explain`).

use serde::Serialize;

use crate::error::{Error, Result};
use crate::pipeline::Pipeline;
use crate::tagged::round4;

/// A vocabulary term with its weight (rounded to 4 decimals).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Term {
    /// The term (words of a word bigram joined by a space; a character n-gram bare).
    pub term: String,
    /// `word` (a word or word bigram) or `chars` (a character n-gram); not known for
    /// evidence terms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
    /// Classifier weight (label terms) or weight × TF-IDF value (evidence).
    pub weight: f64,
}

/// A vocabulary term as shown: character n-grams (stored with a `#` marker) lose it.
pub fn term(raw: &str, weight: f64) -> Term {
    let (term, kind) = match raw.strip_prefix('#') {
        Some(t) => (t, "chars"),
        None => (raw, "word"),
    };
    Term {
        term: term.to_string(),
        kind: Some(kind),
        weight: round4(weight),
    }
}

/// A theme's strongest terms for and against it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabelTerms {
    /// The theme id.
    pub label: String,
    /// Its display name.
    pub name: String,
    /// Its tuned threshold.
    pub threshold: f64,
    /// Terms with positive weight, strongest first.
    pub positive: Vec<Term>,
    /// Terms with negative weight, strongest first.
    pub negative: Vec<Term>,
}

/// One theme's score on a paragraph.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThemeScore {
    /// The theme id.
    pub id: String,
    /// Its display name.
    pub name: String,
    /// Calibrated probability (rounded).
    pub score: f64,
    /// The threshold it is compared with (tuned, or the one given).
    pub threshold: f64,
    /// The terms that carried it (given themes only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Term>,
}

impl std::fmt::Display for ThemeScore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({})  score {:.3}  (threshold {:.3})",
            self.name, self.id, self.score, self.threshold
        )
    }
}

/// For terminals: the theme, its threshold, then the terms for and against it.
impl std::fmt::Display for LabelTerms {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "{} ({}), threshold {:.3}",
            self.name, self.label, self.threshold
        )?;
        for (title, terms) in [
            ("terms for the theme", &self.positive),
            ("terms against it", &self.negative),
        ] {
            writeln!(f, "\n{title}:")?;
            if terms.is_empty() {
                writeln!(f, "  (none)")?;
            }
            for t in terms {
                let kind = if t.kind == Some("chars") {
                    "  [chars]"
                } else {
                    ""
                };
                writeln!(f, "  {:>+8.4}  {}{kind}", t.weight, t.term)?;
            }
        }
        Ok(())
    }
}

/// A paragraph's themes and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TextExplanation {
    /// The paragraph (trimmed).
    pub text: String,
    /// The themes given, highest score first, each with its evidence.
    pub themes: Vec<ThemeScore>,
    /// The highest-scoring themes that were not given (at most three).
    pub closest: Vec<ThemeScore>,
}

/// For terminals: each theme given with its evidence, then the closest themes not given.
impl std::fmt::Display for TextExplanation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.themes.is_empty() {
            writeln!(f, "no theme reached its threshold")?;
        }
        for t in &self.themes {
            writeln!(f, "{t}")?;
            for e in &t.evidence {
                writeln!(f, "  {:>+8.4}  {}", e.weight, e.term)?;
            }
        }
        writeln!(f, "\nclosest themes not given:")?;
        for t in &self.closest {
            writeln!(f, "  {t}")?;
        }
        Ok(())
    }
}

impl Pipeline {
    fn threshold_of(&self, l: usize) -> f64 {
        round4(
            self.options()
                .threshold
                .unwrap_or(self.model().label_models[l].threshold),
        )
    }

    /// A theme's `top` strongest terms each way. An unknown id is an input error listing
    /// the valid ones.
    pub fn explain_label(&self, id: &str, top: usize) -> Result<LabelTerms> {
        let tagger = self.tagger();
        let Some(l) = tagger.label_index(id) else {
            return Err(Error::Input(format!(
                "unknown label '{id}'; valid ids: {}",
                self.model().label_ids().join(", ")
            )));
        };
        let info = &self.labels()[l];
        let (pos, neg) = tagger.label_terms(l, top);
        Ok(LabelTerms {
            label: info.id.clone(),
            name: info.name.clone(),
            threshold: round4(self.model().label_models[l].threshold),
            positive: pos.iter().map(|(t, w)| term(t, *w)).collect(),
            negative: neg.iter().map(|(t, w)| term(t, *w)).collect(),
        })
    }

    /// The themes of one paragraph with up to `top` evidence terms each, and the closest
    /// themes not given. An empty text is an input error.
    pub fn explain_text(&self, text: &str, top: usize) -> Result<TextExplanation> {
        let text = text.trim();
        if text.is_empty() {
            return Err(Error::Input("explain: the text is empty".into()));
        }
        let tagger = self.tagger();
        let p = self.predict(text);
        let labels = self.labels();
        let score = |l: usize, evidence: Vec<Term>| ThemeScore {
            id: labels[l].id.clone(),
            name: labels[l].name.clone(),
            score: round4(p.scores[l]),
            threshold: self.threshold_of(l),
            evidence,
        };
        let by_score = |x: &usize, y: &usize| p.scores[*y].total_cmp(&p.scores[*x]).then(x.cmp(y));
        let mut given = p.labels.clone();
        given.sort_by(by_score);
        let themes = given
            .iter()
            .zip(tagger.evidence(text, &given, top))
            .map(|(&l, ev)| {
                let ev = ev
                    .into_iter()
                    .map(|e| Term {
                        term: e.term,
                        kind: None,
                        weight: round4(e.weight),
                    })
                    .collect();
                score(l, ev)
            })
            .collect();
        let mut rest: Vec<usize> = (0..labels.len())
            .filter(|l| !p.labels.contains(l))
            .collect();
        rest.sort_by(by_score);
        let closest = rest.iter().take(3).map(|&l| score(l, Vec::new())).collect();
        Ok(TextExplanation {
            text: text.to_string(),
            themes,
            closest,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn char_ngrams_lose_their_marker() {
        let t = term("#幼儿", 1.23456);
        assert_eq!(
            (t.term.as_str(), t.kind, t.weight),
            ("幼儿", Some("chars"), 1.2346)
        );
        assert_eq!(term("清廉 学校", -0.5).kind, Some("word"));
    }
}
