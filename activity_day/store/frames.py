"""One table's selected columns as a DataFrame, the shape of the store's county-wide reads."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlmodel import Session, select


def _frame(session: Session, model: type, columns: list[str], *where: Any, order: list[str]) -> pd.DataFrame:
    """Selected columns as a frame: plain rows, no ORM objects (these reads run for a whole county)."""
    query = select(*(getattr(model, c) for c in columns)).where(*where).order_by(*(getattr(model, c) for c in order))
    # Core rows, no ORM loading, fetched at once (iterating the result fetches one row per call); plain tuples,
    # which pandas takes without probing each Row's attributes
    rows = session.connection().execute(query).fetchall()
    return pd.DataFrame([tuple(row) for row in rows], columns=columns)
