"""Property tests (hypothesis) of the referral lifecycle table (lifecycle.py, the Gravity Task state machine):
random walks of legal transitions by either side, and random (current, new, side) triples, against the rules
written in standards.md §6.2: states stay in the value set, terminal states accept only entered-in-error (and
entered-in-error nothing), only the requester may mark entered-in-error, and `check` agrees with the table."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from puente.referrals import lifecycle as lc

SIDES = [lc.REQUESTER, lc.TARGET]
statuses = st.sampled_from(lc.STATUSES)
anything = st.one_of(statuses, st.text(max_size=20))


@settings(max_examples=150)
@given(data=st.data())
def test_a_walk_of_legal_transitions_stays_in_the_value_set_and_ends_only_where_the_table_says(data):
    status = lc.DRAFT
    seen = [status]
    for _step in range(data.draw(st.integers(0, 12))):
        moves = [(new, side) for side in SIDES for new in lc.next_statuses(status, side)]
        if not moves:
            break
        new, side = data.draw(st.sampled_from(moves))
        lc.check(status, new, side)  # next_statuses and check agree
        assert lc.is_allowed(status, new, side)
        status = new
        seen.append(status)
        assert status in lc.STATUSES
    if status in lc.TERMINAL:
        # A terminal referral can still be marked entered in error by the requester, and nothing else.
        allowed = {new for side in SIDES for new in lc.next_statuses(status, side)}
        assert allowed <= {lc.ENTERED_IN_ERROR}
        if status == lc.ENTERED_IN_ERROR:
            assert allowed == set()
    # The walk never returns to draft, and once terminal never leaves the terminal set.
    assert lc.DRAFT not in seen[1:]
    first_terminal = next((i for i, s in enumerate(seen) if s in lc.TERMINAL), None)
    if first_terminal is not None:
        assert all(s in lc.TERMINAL for s in seen[first_terminal:])


@settings(max_examples=300)
@given(current=statuses, new=anything, side=st.sampled_from(SIDES))
def test_check_refuses_exactly_what_the_table_does_not_allow(current, new, side):
    allowed = lc.is_allowed(current, new, side)
    if allowed:
        lc.check(current, new, side)
    else:
        with pytest.raises(lc.IllegalTransition) as refused:
            lc.check(current, new, side)
        assert refused.value.message  # a sentence for the user, never empty
    if current in lc.TERMINAL:
        assert not allowed or (new == lc.ENTERED_IN_ERROR and side == lc.REQUESTER)
    if new == lc.ENTERED_IN_ERROR:
        assert allowed is (side == lc.REQUESTER and current != lc.ENTERED_IN_ERROR)
    if new not in lc.STATUSES:
        assert not allowed


@settings(max_examples=60)
@given(current=statuses, side=st.sampled_from(SIDES))
def test_every_status_a_side_may_choose_has_a_translated_label(current, side):
    for new in lc.next_statuses(current, side):
        assert new in lc.STATUSES
        assert lc.label(new) and lc.label(new) != new
