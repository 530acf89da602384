"""Integer parameters as the database holds them: ids and offsets are 64-bit, so a larger number is a
request error (422 naming the parameter), never a driver overflow."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

MAX_BIGINT = 2**63 - 1

RowId = Annotated[int, Path(ge=1, le=MAX_BIGINT)]
Offset = Annotated[int, Query(ge=0, le=MAX_BIGINT)]
