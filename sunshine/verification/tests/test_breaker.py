"""The circuit breaker: stop asking a failing department, try again after a pause."""

from __future__ import annotations

import pytest

from sunshine.verification.breaker import BreakerState, CircuitBreaker


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def breaker(clock: Clock) -> CircuitBreaker:
    return CircuitBreaker(failure_threshold=3, reset_seconds=30, clock=clock)


def test_it_opens_after_the_threshold_of_failures_in_a_row_and_refuses_calls():
    clock = Clock()
    guard = breaker(clock)
    for _ in range(2):
        assert guard.allow()
        guard.record_failure()
    assert guard.state is BreakerState.CLOSED
    guard.record_failure()
    assert guard.state is BreakerState.OPEN
    assert not guard.allow()


def test_a_success_resets_the_count_of_failures():
    guard = breaker(Clock())
    guard.record_failure()
    guard.record_failure()
    guard.record_success()
    guard.record_failure()
    guard.record_failure()
    assert guard.state is BreakerState.CLOSED


def test_after_the_pause_one_trial_call_goes_through_and_its_success_closes_it():
    clock = Clock()
    guard = breaker(clock)
    for _ in range(3):
        guard.record_failure()
    clock.now += 29.9
    assert not guard.allow()
    clock.now += 0.1
    assert guard.state is BreakerState.HALF_OPEN
    assert guard.allow()
    assert not guard.allow(), "only one trial call at a time"
    guard.record_success()
    assert guard.state is BreakerState.CLOSED
    assert guard.allow()


def test_a_failed_trial_opens_it_again_for_a_whole_pause():
    clock = Clock()
    guard = breaker(clock)
    for _ in range(3):
        guard.record_failure()
    clock.now += 30
    assert guard.allow()
    guard.record_failure()
    assert guard.state is BreakerState.OPEN
    clock.now += 29
    assert not guard.allow()
    clock.now += 1
    assert guard.allow()


def test_nonsense_settings_are_refused():
    with pytest.raises(ValueError):
        CircuitBreaker(failure_threshold=0)
    with pytest.raises(ValueError):
        CircuitBreaker(reset_seconds=0)
