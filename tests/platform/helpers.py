"""Small helpers shared by the foundation tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

PROBLEM = "application/problem+json"


def future(days: int, hour: int = 9, offset: str = "+03:00") -> str:
    day = (datetime.now(UTC) + timedelta(days=days)).date()
    return f"{day.isoformat()}T{hour:02d}:00:00{offset}"


def assert_problem(response: Any, status: int, *fields: str) -> dict[str, Any]:
    """A problem+json answer with a stable type and title, naming ``fields`` (if given)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM), response.headers
    body = response.json()
    assert body["type"].startswith("urn:legal-tracker:problem:"), body
    assert body["title"] and body["status"] == status, body
    assert "Traceback" not in response.text
    if fields:
        named = {e["field"] for e in body.get("errors", [])}
        for field in fields:
            assert field in named, (field, body)
    return body


async def all_items(client: Any, path: str, headers: dict[str, str], limit: int = 200,
                    **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    offset: int | None = 0
    while offset is not None:
        r = await client.get(path, params={**params, "limit": limit, "offset": offset}, headers=headers)
        assert r.status_code == 200, r.text
        body = r.json()
        items.extend(body["items"])
        offset = body["next_offset"]
    return items
