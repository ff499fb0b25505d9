"""A test that needs a system program the project cannot install (nginx) is skipped with the install command
where that program is absent, and fails instead under CI, which installs it."""

from __future__ import annotations

import pytest

from tests.deploy.tooling import system_program

ABSENT = "transport-no-such-program"
INSTALL = "apt-get install -y transport-no-such-program"


def test_an_absent_program_skips_the_test_with_its_install_command(monkeypatch):
    monkeypatch.delenv("CI", raising=False)

    with pytest.raises(pytest.skip.Exception) as skipped:
        system_program(ABSENT, purpose="runs it", install=INSTALL)

    assert str(skipped.value) == (
        "transport-no-such-program is not installed; this test runs it. "
        "Install it with: apt-get install -y transport-no-such-program"
    )


@pytest.mark.parametrize("value", ["true", "1", "TRUE"])
def test_under_ci_an_absent_program_fails_the_test(monkeypatch, value):
    monkeypatch.setenv("CI", value)

    with pytest.raises(pytest.fail.Exception) as failed:
        system_program(ABSENT, purpose="runs it", install=INSTALL)

    assert str(failed.value) == (
        "transport-no-such-program is not installed; this test runs it. "
        f"Install it with: apt-get install -y transport-no-such-program (CI={value}: CI must install it)"
    )


@pytest.mark.parametrize("value", ["", "false", "0"])
def test_a_ci_variable_that_says_no_still_skips(monkeypatch, value):
    monkeypatch.setenv("CI", value)

    with pytest.raises(pytest.skip.Exception):
        system_program(ABSENT, purpose="runs it", install=INSTALL)


def test_a_present_program_is_found_by_its_path():
    assert system_program("sh", purpose="runs it", install=INSTALL).endswith("/sh")
