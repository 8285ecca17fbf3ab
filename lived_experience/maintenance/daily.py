"""What runs once a day when the window opens (off the UI thread): an automatic
backup, then the retention jobs. Each part is independent: a failed backup is
reported and the retention run still happens, and the other way round."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from lived_experience.core.context import AppContext
from lived_experience.maintenance.backups import BackupResult, automatic_backup_if_due
from lived_experience.retention import JobResult
from lived_experience.retention.runner import run_daily_if_due

log = logging.getLogger(__name__)


@dataclass
class DailyReport:
    backup: BackupResult | None = None
    retention: list[JobResult] | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return sum(r.affected for r in self.retention or [])


def run_daily(ctx: AppContext) -> DailyReport:
    from lived_experience.core.errors import UserError

    report = DailyReport()
    try:
        report.backup = automatic_backup_if_due(ctx)
    except UserError as exc:
        report.problems.append(exc.message)
    except Exception:  # noqa: BLE001 - a failed backup must not stop the retention run
        log.exception("automatic backup failed")
        report.problems.append("Today's automatic backup failed: see the log file.")
    try:
        report.retention = run_daily_if_due(ctx)
    except UserError as exc:
        report.problems.append(exc.message)
    except Exception:  # noqa: BLE001
        log.exception("daily retention run failed")
        report.problems.append("Today's retention run failed: see the log file.")
    return report
