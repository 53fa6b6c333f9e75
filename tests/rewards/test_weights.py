"""One `NAME[:WEIGHT]` parser for every stage."""

import pytest

from vdata.errors import ConfigError
from vdata.rewards.weights import DEFAULT_REWARDS, parse_weights


def test_a_negative_weight_is_a_weight_not_part_of_the_name():
    assert parse_weights("accuracy:-1") == (("accuracy", -1.0),)


def test_preset_names_with_a_slash_keep_their_weight():
    assert parse_weights("video-r1/accuracy:2, format") == (("video-r1/accuracy", 2.0), ("format", 1.0))


def test_a_verifier_refuses_weights_that_are_not_positive():
    with pytest.raises(ConfigError, match=r"--verify 'accuracy:-1': weight of 'accuracy' must be > 0"):
        parse_weights("accuracy:-1", flag="--verify", positive=True)


@pytest.mark.parametrize("spec", ["accuracy:x", "accuracy:inf", "", " , "])
def test_bad_specs_fail_in_one_line_naming_the_flag(spec):
    with pytest.raises(ConfigError, match="--rewards"):
        parse_weights(spec)


def test_an_unknown_reward_fails_at_start_up_with_the_known_ones():
    with pytest.raises(ConfigError, match=r"known: .*accuracy"):
        parse_weights("acuracy:1")


def test_the_default_list_parses():
    assert parse_weights(DEFAULT_REWARDS) == (("format", 1.0), ("accuracy", 4.0))
