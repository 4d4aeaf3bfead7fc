"""How much of the ecosystem each kind is (ml/kind/shares.py): the deployed model's counts
(ml_repository_kind), corrected for its misclassification measured out of sample
(ml_kind_evaluation, with README), and the labelled sample's own shares, both weighted by the
sampling strata and bootstrapped within them. One row per kind plus `learning_material`."""

from ml.config import ml_config
from ml.kind import kind_shares
from ml.labels.strata import design_weights
from ml.own_process import call_in_own_process
from ml.warehouse import modelling_repositories, population_strata


def model(dbt, session):
    dbt.config(materialized="table", schema="ml")
    config = ml_config(dbt.config.get("ml_settings"))
    repos = modelling_repositories(
        dbt.ref("dim_repositories").df(), dbt.ref("int_readmes_cleaned").df()
    )
    strata = population_strata(repos)
    evaluated = dbt.ref("ml_kind_evaluation").df()
    out_of_sample = evaluated[evaluated["features"] == "with_readme"].reset_index(drop=True)
    out_of_sample["weight"] = design_weights(out_of_sample["stratum"], strata).to_numpy()
    predictions = dbt.ref("ml_repository_kind").df()
    # The stratified bootstrap takes most of a second: on a core of its own
    return call_in_own_process(kind_shares, predictions, out_of_sample, strata, config)
