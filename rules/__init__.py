"""The rules engine of tiepdan: pure functions over plain data, no I/O, no clock.

``today`` is always a parameter. Everything the service, the notices, the reminders and the
reports know about mandates, working days, rolls, findings and make-up days comes from here.
"""

from rules.engine import CalendarPlan, PlannedDate, Session, plan_calendar, plan_unit, unit_findings
from rules.errors import (
    ConfigError,
    ConflictError,
    DeliveryError,
    RuleError,
    ServiceError,
    TiepdanError,
)
from rules.findings import Finding, Shortfall
from rules.makeup import MakeupProposal, propose_makeup
from rules.mandates import Level, Mandate
from rules.periods import Period, period_from_key, period_of
from rules.units import ROLLS, Pattern, Person, Roll, Unit
from rules.workcalendar import DayNote, WorkCalendar

__all__ = [
    "ROLLS",
    "CalendarPlan",
    "ConfigError",
    "ConflictError",
    "DayNote",
    "DeliveryError",
    "Finding",
    "Level",
    "MakeupProposal",
    "Mandate",
    "Pattern",
    "Period",
    "Person",
    "PlannedDate",
    "Roll",
    "RuleError",
    "ServiceError",
    "Session",
    "Shortfall",
    "TiepdanError",
    "Unit",
    "WorkCalendar",
    "period_from_key",
    "period_of",
    "plan_calendar",
    "plan_unit",
    "propose_makeup",
    "unit_findings",
]
