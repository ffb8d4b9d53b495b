"""Unknown query parameters are refused, not ignored.

FastAPI ignores a query parameter no route declares. A typo then changes what a call does
without a word: `PUT /v1/epn/room/lock?locaton=marolles` would lock the caller's default room,
not the one meant. Every route therefore refuses, with 422 `unknown_parameter`, a query
parameter it does not declare (declared ones are read from the route's own dependencies).
"""

from __future__ import annotations

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from cityserver.problems import ProblemError

_DECLARED: dict[int, frozenset[str]] = {}


def _query_names(dependant: Dependant) -> set[str]:
    # Walked here rather than with FastAPI's flattening helper, which is not public API.
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def _declared(route: APIRoute) -> frozenset[str]:
    names = _DECLARED.get(id(route))
    if names is None:
        names = frozenset(_query_names(route.dependant))
        _DECLARED[id(route)] = names
    return names


async def refuse_unknown_query(request: Request) -> None:
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not request.query_params:
        return
    unknown = set(request.query_params.keys()) - _declared(route)
    if unknown:
        # The names are the caller's own input; they are not echoed (they may be anything).
        raise ProblemError(
            422, "Unprocessable Content", "unknown query parameter", "unknown_parameter"
        )
