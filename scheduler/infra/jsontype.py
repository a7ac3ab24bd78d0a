"""The type of a JSON value, for the shapes the service contract gives (the API's bodies and
answers, ``tiepdan ... --format json``): what ``json.dumps`` writes as it is."""

from __future__ import annotations

from typing import TypeAlias

Json: TypeAlias = "str | int | float | bool | list[Json] | dict[str, Json] | None"
JsonObject: TypeAlias = "dict[str, Json]"
