"""How the label sets were made, stated once and repeated word for word wherever they are used.

The same statement appears in `ml/labels/README.md`, in the docstrings of the label readers, in
the seeds' documentation and in the paper; `tests/labels/test_labels.py` holds them identical,
so the account of who labelled what, from which fields, when and with what checks cannot drift
between places.
"""

#: The repository labels: kinds, categories and their second passes.
LABELS_STATEMENT = (
    "Every label in ml/labels/ was written by an AI language model (Anthropic's Claude) on "
    "2026-11-28, one repository at a time; no rule or classifier produced or pre-filled any "
    "label. Kind labels were read from the repository's metadata in the January 2023 archive "
    "(name, description, topics, language, stars, homepage, fork and archived flags). Category "
    "labels were read from the same metadata plus the first 330 to 380 characters of the README, "
    "stripped of code, images, badges and HTML. For a few well-known projects whose metadata "
    "says little, the annotator's knowledge of the project also counted, and the label's note "
    "says so. Second passes re-labelled seeded subsamples under other evidence: 80 kinds with the "
    "first 500 README characters in view, 60 categories from metadata alone. They were written "
    "after the first pass by the same annotator, who could recall the first-pass labels, so "
    "their agreement (Cohen's kappa) is an upper bound on consistency, not a measure of "
    "independent annotators. No person reviewed the labels; the checks are automated (valid "
    "values, one label per repository, a note on every low-confidence label, the sample redrawn "
    "from its seed) plus the agreement figures."
)

#: The curated list of well-known tools (dbt seed curated_tools).
CURATED_STATEMENT = (
    "The curated list (seed curated_tools) names 135 well-known open-source MLOps tools, each in "
    "one of the six categories. It was written by an AI language model on 2026-11-27 from the "
    "archive's descriptions and from what the model knew of each project's documentation "
    "(column label_source says which); tools found in the archive came first, and well-known "
    "tools missing from it were added so that every category has at least ten. It is not a "
    "sample and neither trains nor scores the category classifier: it puts well-known tools in "
    "the tool set and, being written a day earlier without the sample's labels, serves as a "
    "second reading of the categories, whose agreement with the sampled labels is reported."
)

#: The short account every report page that shows a kind or a task category repeats.
PAGES_STATEMENT = (
    "Kinds and task categories come from classifiers trained on a labelled sample whose labels "
    "were written by an AI language model (Anthropic's Claude); `ml/labels/README.md` says how, "
    "from which fields and with what checks."
)
