"""The audit's actor names as people read them: users by display name, banks (``bank:CCB``) by
their name. What pages and workbooks pass to :func:`feecollect.wording.actor_display`."""

from __future__ import annotations

from sqlalchemy.orm import Session

from feecollect.bank import repository as banks
from feecollect.users import repository as users


def actor_names(session: Session) -> dict[str, str]:
    return users.display_names(session) | banks.actor_names(session)
