"""Erasure: anonymise one person everywhere, and leave no trace of them in the database file.

What happens (the column rules in ``retention/rules.py``):

- the person's record: name replaced by "Anonymised person ID"; every other
  personal field (contact details, date of birth, access needs, notes...) emptied;
- applications: statements, availability, video links, notes and reasons emptied;
  the stage history stays as dated moves without reasons; assessment notes emptied;
- equality answers: detached from the application and kept only as counts;
- quiet periods: deleted; membership terms: notes emptied (dates stay);
- DBS checks: reference and certificate numbers, disclosure detail and notes removed
  (the fact, level, dates and decision stay);
- expense claims: kept for the accounts (six years) but de-identified: amounts,
  dates, kinds and statuses stay, descriptions and reasons go;
- meeting invitations: notes emptied (attendance stays for the meeting's counts);
- feedback they gave: becomes anonymous and its quote is removed (the summary and
  the response stay, because they informed commissioning);
- the audit log keeps its events (they never hold values, only ids).

Then the write-ahead log is checkpointed and truncated; with ``secure_delete`` on,
the old values are overwritten in the file. The result lists the backups made
before the erasure, which still hold the person, and when each will be removed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from db.models import Person
from lived_experience.core import clock
from lived_experience.core.context import AppContext
from lived_experience.core.uow import get_or_404, unit_of_work
from lived_experience.maintenance.backups import BackupInfo, list_backups
from lived_experience.maintenance.scrub import checkpoint_wal
from lived_experience.retention.personal_data import anonymise_person
from lived_experience.security.guard import require
from lived_experience.security.permissions import Perm

log = logging.getLogger(__name__)


@dataclass
class ErasureResult:
    person_id: int
    changed: dict[str, int] = field(default_factory=dict)
    wal_truncated: bool = True
    backups: list[BackupInfo] = field(default_factory=list)  # made before the erasure: they still hold the person

    def lines(self) -> list[str]:
        out = [f"Person {self.person_id} has been anonymised everywhere ("
               + ", ".join(f"{t}: {n}" for t, n in sorted(self.changed.items())) + ")."]
        if not self.wal_truncated:
            out.append("The database's write-ahead log could not be emptied yet because another window was "
                       "reading; it is emptied automatically when every window closes.")
        if self.backups:
            out.append(f"{len(self.backups)} backup(s) made before this still contain the person:")
            out.extend(f"  {b.path.name}: {b.expires}" for b in self.backups)
        else:
            out.append("No backup in the backups folder contains the person.")
        return out


def erase_person(ctx: AppContext, person_id: int) -> ErasureResult:
    """Anonymise ``person_id`` everywhere and scrub the database files. Administrators only; audited."""
    require(ctx, Perm.RETENTION, entity="person", entity_id=person_id)
    started = clock.now()
    with unit_of_work(ctx) as s:
        person = get_or_404(s, Person, person_id, "person")
        done = anonymise_person(s, person, ctx.actor, now=started, reason="erasure on request",
                                action="person.erase")
    truncated = checkpoint_wal(ctx)
    log.info("person %s erased (%d records changed)", person_id, done.total)
    before = [b for b in list_backups(ctx) if b.made_at <= started]
    return ErasureResult(person_id, done.changed, truncated, before)
