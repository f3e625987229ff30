//! Command-line arguments (the contract other tooling relies on).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Tag the paragraphs of Chinese education-bureau reports by policy theme.
#[derive(Debug, Parser)]
#[command(name = "policytag", version, about, long_about = None)]
pub struct Cli {
    /// Worker threads (default: all cores).
    #[arg(long, global = true)]
    pub threads: Option<usize>,
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Tag reports (or JSONL paragraphs) with policy themes.
    Tag(TagArgs),
    /// Train a model from labelled JSONL paragraphs.
    Train(TrainArgs),
    /// Evaluate a model on labelled JSONL paragraphs.
    Eval(EvalArgs),
    /// Show how a report is cut into paragraphs.
    Segment(SegmentArgs),
    /// Show the tokens of a text.
    Tokenize(TokenizeArgs),
    /// List a model's labels.
    Labels(LabelsArgs),
    /// Statistics and near-duplicate check of labelled JSONL files.
    CorpusStats(CorpusStatsArgs),
    /// Convert a labelling tool's export (doccano, Label Studio, fastText) to corpus JSONL.
    Import(ImportArgs),
    /// Write corpus JSONL for a labelling tool (Label Studio tasks can carry predictions).
    Export(ExportArgs),
    /// Agreement between two annotators' labels on the same paragraphs.
    Agree(AgreeArgs),
    /// The paragraphs most worth labelling next (the model's least certain), as JSONL.
    Suggest(SuggestArgs),
    /// One self-contained HTML report: theme profiles, key figures, paragraphs, comparison.
    Report(ReportArgs),
    /// Per-document theme counts, shares and key-figure counts.
    Stats(StatsArgs),
    /// Coding matrix over many reports: documents × themes (counts, shares, character-weighted
    /// shares), theme × year and theme × region with attention tiers and trends (CSV, JSON, XLSX).
    Matrix(MatrixArgs),
    /// Every key figure of the reports with its document, paragraph, clause, value, unit,
    /// kind (result/target) and theme (CSV, JSON, XLSX).
    Figures(FiguresArgs),
    /// Why the model tags what it tags: a theme's strongest terms, or one paragraph's scores.
    Explain(ExplainArgs),
    /// Label paragraphs in a local web page, with the model's suggestions.
    Annotate(AnnotateArgs),
}

/// Labelling-tool formats of `import` and `export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ToolFormat {
    /// doccano text classification JSONL: {"text", "label": [...]} per line.
    Doccano,
    /// Label Studio JSON: an array of tasks with a `theme` choices control.
    Labelstudio,
    /// fastText: `__label__a __label__b text` per line.
    Fasttext,
}

/// Output formats of `tag`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TagFormat {
    /// For people, in a terminal.
    Text,
    /// One JSON object per paragraph.
    Jsonl,
    /// Comma-separated, with a header row.
    Csv,
}

impl TagFormat {
    /// The pipeline's output format.
    pub fn output(self) -> policytag_pipeline::OutputFormat {
        use policytag_pipeline::OutputFormat;
        match self {
            TagFormat::Text => OutputFormat::Text,
            TagFormat::Jsonl => OutputFormat::Jsonl,
            TagFormat::Csv => OutputFormat::Csv,
        }
    }
}

/// Score pooling (see `policytag_model::logistic::Pooling`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PoolingArg {
    /// Whole paragraph only.
    Paragraph,
    /// Best of the paragraph and its sentences.
    MaxSentence,
    /// Paragraph, best sentence, guard against single cues and length, combined per label.
    Combined,
}

/// Output formats of reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// For people.
    Text,
    /// JSON.
    Json,
}

/// `--input-format`: how report files are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum InputFormatArg {
    /// Decide by content (magic bytes); the file name is only a hint.
    #[default]
    Auto,
    /// Plain text (UTF-8, UTF-16 with BOM, GBK/GB18030).
    Text,
    /// A saved web page: the article body, without the site's chrome.
    Html,
    /// A Word 2007+ document.
    Docx,
    /// A PDF with a text layer.
    Pdf,
}

impl InputFormatArg {
    /// The forced format, or `None` to detect it.
    pub fn format(self) -> Option<policytag_extract::Format> {
        use policytag_extract::Format;
        match self {
            InputFormatArg::Auto => None,
            InputFormatArg::Text => Some(Format::Text),
            InputFormatArg::Html => Some(Format::Html),
            InputFormatArg::Docx => Some(Format::Docx),
            InputFormatArg::Pdf => Some(Format::Pdf),
        }
    }
}

/// `policytag tag`.
#[derive(Debug, Args)]
pub struct TagArgs {
    /// Report files: text (UTF-8, UTF-16 with BOM, GBK/GB18030), saved web pages (.html),
    /// Word (.docx) or PDF; `-` or nothing reads stdin.
    pub files: Vec<PathBuf>,
    /// Format of the report files (default: detected from their content).
    #[arg(long, value_enum, default_value_t = InputFormatArg::Auto)]
    pub input_format: InputFormatArg,
    /// Model file (default: the model embedded in the binary).
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Inputs are JSONL, one paragraph per line in a "text" field (not segmented).
    #[arg(long)]
    pub jsonl: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TagFormat::Text)]
    pub format: TagFormat,
    /// One probability threshold for every label, instead of the tuned per-label ones.
    #[arg(long)]
    pub threshold: Option<f64>,
    /// Show the terms behind each label.
    #[arg(long)]
    pub explain: bool,
    /// Write to this file (atomically) instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// `policytag train`. Every tuning flag is optional: a flag not given leaves the library's
/// recommended setting (`TrainParams::default`, listed in the README), which is what
/// `models/default.model` is trained with.
#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Labelled JSONL files: `{"text": …, "labels": [ids]}` per line.
    #[arg(long = "data", required = true, num_args = 1..)]
    pub data: Vec<PathBuf>,
    /// Where to write the model.
    #[arg(long)]
    pub out: PathBuf,
    /// Cross-validation folds for calibration, thresholds and metrics [default: 5].
    #[arg(long)]
    pub folds: Option<usize>,
    /// Seed for the fold assignment [default: 42].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Keep at most this many TF-IDF terms (most frequent first) [default: no cap].
    #[arg(long)]
    pub max_features: Option<usize>,
    /// Columns (chosen by chi²) each label's classifier uses [default: 2000].
    #[arg(long)]
    pub features_per_label: Option<usize>,
    /// Minimum document frequency of a term [default: 2].
    #[arg(long)]
    pub min_df: Option<usize>,
    /// Word n-gram range, e.g. 1-2 [default: 1-2].
    #[arg(long)]
    pub ngrams: Option<String>,
    /// Character n-gram range, e.g. 2-3, or `none` [default: 2-3].
    #[arg(long)]
    pub char_ngrams: Option<String>,
    /// L2 penalty of each logistic regression (1/C) [default: 0.1].
    #[arg(long)]
    pub alpha: Option<f64>,
    /// L-BFGS iteration cap [default: 40].
    #[arg(long)]
    pub max_iter: Option<u64>,
    /// Raise each tuned threshold by this much in logit units [default: 0.5].
    #[arg(long, allow_negative_numbers = true)]
    pub threshold_margin: Option<f64>,
    /// How much a paragraph's neighbours in its document move its scores [default: 2].
    #[arg(long, allow_negative_numbers = true)]
    pub context_weight: Option<f64>,
    /// Let jieba guess unknown words with its HMM.
    #[arg(long)]
    pub hmm: bool,
    /// How a paragraph's score is formed: the whole paragraph, or the best of it and each
    /// of its sentences, or those combined with a guard and length per label [default: combined].
    #[arg(long, value_enum)]
    pub pooling: Option<PoolingArg>,
    /// TOML file with `[[theme]]` id/name/description entries, for display names.
    #[arg(long)]
    pub themes: Option<PathBuf>,
    /// Skip malformed lines (reporting how many) instead of refusing to train.
    #[arg(long)]
    pub skip_bad: bool,
    /// Do not print the cross-validated metrics.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `policytag eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Labelled JSONL file.
    #[arg(long)]
    pub data: PathBuf,
    /// Model file (default: the embedded model).
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    /// One threshold for every label instead of the tuned ones.
    #[arg(long)]
    pub threshold: Option<f64>,
    /// Also list up to N misclassified paragraphs (text format).
    #[arg(long, default_value_t = 0)]
    pub errors: usize,
    /// Only list errors involving this label.
    #[arg(long)]
    pub label: Option<String>,
}

/// `policytag segment`.
#[derive(Debug, Args)]
pub struct SegmentArgs {
    /// Report file: text, .html, .docx or PDF (`-` for stdin).
    pub file: PathBuf,
    /// Format of the report file (default: detected from its content).
    #[arg(long, value_enum, default_value_t = InputFormatArg::Auto)]
    pub input_format: InputFormatArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TagFormat::Text)]
    pub format: TagFormat,
}

/// `policytag tokenize`.
#[derive(Debug, Args)]
pub struct TokenizeArgs {
    /// Text to tokenise (`-` or nothing reads stdin).
    pub text: Option<String>,
    /// Model whose text settings to use (default: the embedded model's).
    #[arg(long)]
    pub model: Option<PathBuf>,
}

/// `policytag labels`.
#[derive(Debug, Args)]
pub struct LabelsArgs {
    /// Model file (default: the embedded model).
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

/// `policytag corpus-stats`.
#[derive(Debug, Args)]
pub struct CorpusStatsArgs {
    /// Labelled JSONL files.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

/// `policytag import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The labelling tool's export.
    pub file: PathBuf,
    /// Its format.
    #[arg(long, value_enum)]
    pub from: ToolFormat,
    /// Write corpus JSONL here (atomically) instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Themes TOML whose ids are the accepted labels (default: the model's labels).
    #[arg(long)]
    pub themes: Option<PathBuf>,
    /// Model whose labels are accepted (default: the embedded model).
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Keep labels outside the theme set instead of failing.
    #[arg(long)]
    pub allow_unknown: bool,
}

/// `policytag export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Corpus JSONL ({"id"?, "text", "labels"?} per line; no "labels" = unlabelled).
    pub file: PathBuf,
    /// The labelling tool's format.
    #[arg(long, value_enum)]
    pub to: ToolFormat,
    /// Where to write (atomically). Label Studio also gets `<out stem>.config.xml`.
    #[arg(long)]
    pub out: PathBuf,
    /// Model for Label Studio predictions or fastText --tokens (implies --predict for
    /// Label Studio).
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Label Studio: add the model's predictions with scores (default model unless --model).
    #[arg(long)]
    pub predict: bool,
    /// fastText: write the model tokenizer's words, space-separated, instead of raw text.
    #[arg(long)]
    pub tokens: bool,
    /// Themes TOML for the Label Studio config's choices (default: the model's labels).
    #[arg(long)]
    pub themes: Option<PathBuf>,
}

/// `policytag agree`.
#[derive(Debug, Args)]
pub struct AgreeArgs {
    /// Annotator A's labelled JSONL (the reference for F1).
    pub a: PathBuf,
    /// Annotator B's labelled JSONL.
    pub b: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

/// `policytag report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub input: CorpusInput,
    /// The HTML file to write (atomically); `-` writes to stdout.
    #[arg(long)]
    pub out: PathBuf,
    /// Page title.
    #[arg(long, default_value = "policytag report")]
    pub title: String,
}

/// Output formats of `stats`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatsFormat {
    /// For people.
    Text,
    /// One row per document, a count and a share column per theme.
    Csv,
    /// JSON.
    Json,
}

/// `policytag stats`.
#[derive(Debug, Args)]
pub struct StatsArgs {
    #[command(flatten)]
    pub input: CorpusInput,
    /// Output format.
    #[arg(long, value_enum, default_value_t = StatsFormat::Text)]
    pub format: StatsFormat,
}

/// The inputs, model and tagging options of `report`, `stats`, `matrix` and `figures`.
#[derive(Debug, Args)]
pub struct CorpusInput {
    /// Report files or folders (read recursively: .txt, .html/.htm, .docx, .pdf), or JSONL
    /// paragraph files with --jsonl; `-` reads stdin.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Format of the report files (default: detected from their content).
    #[arg(long, value_enum, default_value_t = InputFormatArg::Auto)]
    pub input_format: InputFormatArg,
    /// Model file (default: the embedded model).
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// One threshold for every label instead of the tuned ones.
    #[arg(long)]
    pub threshold: Option<f64>,
    /// Inputs are JSONL, one paragraph per line in a "text" field (not segmented).
    #[arg(long)]
    pub jsonl: bool,
}

/// Output formats of `matrix` and `figures`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TableFormat {
    /// An overview for people (`matrix` only).
    Text,
    /// UTF-8 CSV with a byte-order mark (opens in Excel with the Chinese intact).
    Csv,
    /// JSON.
    Json,
    /// An Excel workbook (needs --out).
    Xlsx,
}

/// Tables of `matrix --format csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MatrixTable {
    /// Documents × themes.
    Documents,
    /// One row per theme: totals, tier, trend.
    Themes,
    /// Theme × year.
    Years,
    /// Theme × region.
    Regions,
    /// Every paragraph with its themes.
    Paragraphs,
}

/// `policytag matrix`.
#[derive(Debug, Args)]
pub struct MatrixArgs {
    #[command(flatten)]
    pub input: CorpusInput,
    /// Output format (xlsx writes every table, one sheet each, plus paragraphs and figures).
    #[arg(long, value_enum, default_value_t = TableFormat::Text)]
    pub format: TableFormat,
    /// The table written as CSV.
    #[arg(long, value_enum, default_value_t = MatrixTable::Documents)]
    pub table: MatrixTable,
    /// File to write (atomically); default stdout (not for xlsx).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// `policytag figures`.
#[derive(Debug, Args)]
pub struct FiguresArgs {
    #[command(flatten)]
    pub input: CorpusInput,
    /// Output format (xlsx: a figures sheet and a paragraphs sheet they link to).
    #[arg(long, value_enum, default_value_t = TableFormat::Csv)]
    pub format: TableFormat,
    /// File to write (atomically); default stdout (not for xlsx).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// `policytag explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A paragraph to explain (`-` reads stdin). Give this or --label.
    pub text: Option<String>,
    /// A theme id whose strongest terms to list. Give this or TEXT.
    #[arg(long)]
    pub label: Option<String>,
    /// How many terms to show.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    /// Model file (default: the embedded model).
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// One threshold for every label instead of the tuned ones (TEXT mode).
    #[arg(long)]
    pub threshold: Option<f64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

/// `policytag suggest`.
#[derive(Debug, Args)]
pub struct SuggestArgs {
    /// Report files, or JSONL paragraph files with --jsonl.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Format of the report files (default: detected from their content).
    #[arg(long, value_enum, default_value_t = InputFormatArg::Auto)]
    pub input_format: InputFormatArg,
    /// Inputs are JSONL, one paragraph per line in a "text" field (not segmented).
    #[arg(long)]
    pub jsonl: bool,
    /// How many paragraphs to suggest.
    #[arg(long, default_value_t = 50)]
    pub n: usize,
    /// Model file (default: the embedded model).
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Write to this file (atomically) instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Queue orders of `annotate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OrderArg {
    /// Least certain first (the smallest log-odds distance of any label to its threshold).
    Uncertain,
    /// Input order.
    File,
    /// Shuffled with --seed.
    Random,
}

/// `policytag annotate`.
#[derive(Debug, Args)]
pub struct AnnotateArgs {
    /// Report files (segmented as `tag` does), or JSONL paragraph files with --jsonl.
    #[arg(required_unless_present = "review")]
    pub files: Vec<PathBuf>,
    /// Review mode: two or more annotators' label files (JSONL); shows only the paragraphs
    /// they disagree on, their labels side by side; --out gets the adjudicated set.
    #[arg(long, num_args = 2.., value_name = "FILE", conflicts_with_all = ["files", "learn", "base"])]
    pub review: Vec<PathBuf>,
    /// Retrain in the background every --every decisions on --base plus the decisions so
    /// far (on by default with --base).
    #[arg(long, conflicts_with = "no_learn")]
    pub learn: bool,
    /// Do not retrain, even with --base.
    #[arg(long)]
    pub no_learn: bool,
    /// Base corpus (labelled JSONL) retrains learn from besides the decisions, e.g.
    /// corpus/train.jsonl.
    #[arg(long)]
    pub base: Option<PathBuf>,
    /// New decisions between retrains.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..))]
    pub every: u64,
    /// Near-duplicates: character 5-gram overlap (Jaccard, 0–1) at or above which
    /// paragraphs are grouped.
    #[arg(long, default_value_t = 0.7)]
    pub dup_threshold: f64,
    /// Do not group near-duplicates.
    #[arg(long)]
    pub no_groups: bool,
    /// Format of the report files (default: detected from their content).
    #[arg(long, value_enum, default_value_t = InputFormatArg::Auto)]
    pub input_format: InputFormatArg,
    /// JSONL file that decisions are appended to; an existing one is resumed (skips go to
    /// NAME.skipped.jsonl beside it).
    #[arg(long)]
    pub out: PathBuf,
    /// Model for suggestions and labels (default: the embedded model); re-ranking reloads it.
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Inputs are JSONL, one paragraph per line in a "text" field ("id" kept when given).
    #[arg(long)]
    pub jsonl: bool,
    /// Queue order (default: uncertain, or file with --no-suggestions).
    #[arg(long, value_enum)]
    pub order: Option<OrderArg>,
    /// Seed of --order random.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Port on 127.0.0.1 (0: any free port).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Show no model suggestions (the model still gives the label set).
    #[arg(long)]
    pub no_suggestions: bool,
    /// Name written into every decision as "annotator".
    #[arg(long)]
    pub annotator: Option<String>,
}
