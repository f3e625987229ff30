//! The model's view of paragraphs for labelling tools: Label Studio pre-annotations and the
//! token lines of a fastText export.

use rayon::prelude::*;

use policytag_data::active::decision_confidence;
use policytag_data::interchange::{model_version, LsPrediction};

use crate::error::Result;
use crate::pipeline::Pipeline;
use crate::tagged::round4;

impl Pipeline {
    /// Label Studio predictions for `texts` (of the input named `name`): the labels given at
    /// the tuned thresholds and the confidence in the whole decision, with the model's
    /// version string (a hash of the model file).
    pub fn labelstudio_predictions(
        &self,
        name: &str,
        texts: &[&str],
    ) -> Result<(String, Vec<LsPrediction>)> {
        let thresholds = self.thresholds();
        let preds = self
            .tag_texts(name, texts)
            .into_iter()
            .map(|t| LsPrediction {
                labels: t.given().map(String::from).collect(),
                score: round4(decision_confidence(&t.scores, &thresholds)),
            })
            .collect();
        Ok((model_version(&self.model().to_bytes()?), preds))
    }

    /// Each text's words as the model sees them, joined by spaces (fastText's input).
    pub fn token_lines(&self, texts: &[&str]) -> Vec<String> {
        let t = self.tagger().tokenizer();
        texts
            .par_iter()
            .map(|x| t.tokenize(x).words.join(" "))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn predictions_follow_the_tags_and_tokens_the_tokenizer() {
        let p = Pipeline::load(None).unwrap();
        let texts = ["全面落实“双减”，课后服务实现全覆盖。", "召开会议。"];
        let (version, preds) = p.labelstudio_predictions("t", &texts).unwrap();
        assert!(!version.is_empty());
        let tags = p.tag_texts("t", &texts);
        for (pr, t) in preds.iter().zip(&tags) {
            assert_eq!(pr.labels, t.given().map(String::from).collect::<Vec<_>>());
            assert!((0.0..=1.0).contains(&pr.score));
        }
        let lines = p.token_lines(&texts);
        let words = p.tagger().tokenizer().tokenize(texts[0]).words;
        assert_eq!(lines[0], words.join(" "));
    }
}
