"""Rental tiers and inspection schedules as pure rules (see docs/tiers.md).

* ``policy``: the model of one versioned tier policy and the checks a policy
  file must pass (closed fact vocabulary, personal traits refused);
* ``rules``: evaluating a subject's facts against the policy (reasons included),
  with hysteresis for leaving the strictest tier;
* ``schedule``: obligations per tier and due-date arithmetic in whole local days.
"""
