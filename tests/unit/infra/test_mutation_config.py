"""`make mutation`'s configuration (infra/mutation.py) stays in step with the code, so that a rename
fails here in seconds rather than minutes into `make test`."""

from __future__ import annotations

import pytest

from infra.local.template import ROOT
from infra.mutation import HAND_MUTANTS, MODULES, TESTS, HandMutant, equivalents, module_of

LAYER = ROOT / "shared" / "faceid_bridge"


def test_every_module_and_test_named_exists() -> None:
    assert [module for module in MODULES if not (LAYER / module).is_file()] == []
    assert [test for test in TESTS if not (ROOT / "tests" / "unit" / test).is_file()] == []


def test_every_listed_equivalent_is_of_a_mutated_module_and_has_its_change_and_reason() -> None:
    listed = equivalents()
    assert listed
    assert [item.mutant for item in listed if module_of(item.mutant) not in MODULES] == []
    assert [item.mutant for item in listed if not (item.change and item.reason)] == []
    assert len({item.mutant for item in listed}) == len(listed)


@pytest.mark.parametrize("mutant", HAND_MUTANTS, ids=lambda mutant: f"{mutant.module}: {mutant.mutated.strip()}")
def test_every_hand_mutant_changes_one_place_and_names_tests_that_run(mutant: HandMutant) -> None:
    assert (LAYER / mutant.module).read_text().count(mutant.original) == 1
    assert mutant.mutated != mutant.original and mutant.tests and set(mutant.tests) <= set(TESTS)


def test_make_test_runs_the_mutation_testing() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "mutation" in makefile.split("\ntest:", 1)[1].splitlines()[0].split()
    assert "\tpython -m infra.mutation" in makefile.replace("$(PY) -m", "python -m")
