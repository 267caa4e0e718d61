"""The web app's foundation over HTTP (no browser): sessions, CSRF, headers, static files."""

from __future__ import annotations

import re

import httpx

from tests.conftest import World

CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


async def csrf_of(client: httpx.AsyncClient, path: str = "/app/login") -> str:
    response = await client.get(path)
    assert response.status_code == 200, response.text
    return CSRF.search(response.text).group(1)


async def sign_in(client: httpx.AsyncClient, email: str, password: str = "correct horse battery",
                  next_path: str = "") -> httpx.Response:
    token = await csrf_of(client)
    return await client.post("/app/login", data={"email": email, "password": password,
                                                "next": next_path, "_csrf_token": token})


async def test_root_sends_strangers_to_sign_in_and_signed_in_people_to_the_day(
        world: World, web: httpx.AsyncClient) -> None:
    client = web
    response = await client.get("/")
    assert response.status_code == 303 and response.headers["location"] == "/app/login"
    response = await client.get("/app/cases/12")
    assert response.status_code == 303
    assert response.headers["location"] == "/app/login?next=/app/cases/12"
    response = await sign_in(client, "admin@example.org")
    assert response.status_code == 303 and response.headers["location"] == "/app/"
    cookie = response.headers["set-cookie"]
    assert "lt_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" in cookie  # the test settings' public URL is https
    response = await client.get("/")
    assert response.status_code == 303 and response.headers["location"] == "/app/"
    page = await client.get("/app/")
    assert page.status_code == 200 and "Court day" in page.text


async def test_wrong_password_keeps_email_and_says_so(
        world: World, web: httpx.AsyncClient) -> None:
    response = await sign_in(web, "admin@example.org", "wrong password here")
    assert response.status_code == 401
    assert "Sign-in failed" in response.text
    assert 'value="admin@example.org"' in response.text
    assert "wrong password here" not in response.text
    assert "lt_session=" not in response.headers.get("set-cookie", "")


async def test_next_never_leaves_the_site(
        world: World, web: httpx.AsyncClient) -> None:
    response = await sign_in(web, "admin@example.org", next_path="//evil.example/app/")
    assert response.headers["location"] == "/app/"
    web.cookies.clear()
    response = await sign_in(web, "admin@example.org", next_path="/app/cases?q=CR")
    assert response.headers["location"] == "/app/cases?q=CR"


async def test_post_without_csrf_token_is_refused_and_changes_nothing(
        world: World, web: httpx.AsyncClient) -> None:
    client = web
    await sign_in(client, "admin@example.org")
    response = await client.post("/app/logout", data={})
    assert response.status_code == 403
    assert "text/html" in response.headers["content-type"]
    assert "nothing was" in response.text
    # Still signed in: the refused sign-out did not happen.
    assert (await client.get("/app/")).status_code == 200
    response = await client.post("/app/logout", data={"_csrf_token": "forged"})
    assert response.status_code == 403
    assert (await client.get("/app/")).status_code == 200


async def test_sign_out_ends_the_session_server_side(
        world: World, web: httpx.AsyncClient) -> None:
    client = web
    await sign_in(client, "admin@example.org")
    stolen = client.cookies.get("lt_session")
    token = await csrf_of(client, "/app/")
    response = await client.post("/app/logout", data={"_csrf_token": token})
    assert response.status_code == 303
    client.cookies.set("lt_session", stolen)
    assert (await client.get("/app/")).status_code == 303  # the copied cookie is dead


async def test_sign_out_everywhere_ends_api_tokens_too(
        world: World, web: httpx.AsyncClient) -> None:
    client = web
    await sign_in(client, "admin@example.org")
    token = await csrf_of(client, "/app/")
    api = world.admin
    assert (await client.get("/api/offices", headers=api)).status_code == 200
    response = await client.post("/app/logout-everywhere", data={"_csrf_token": token})
    assert response.status_code == 303
    assert (await client.get("/api/offices", headers=api)).status_code == 401
    assert (await client.get("/app/")).status_code == 303


async def test_pages_have_a_strict_csp_and_the_api_keeps_its_own(
        world: World, web: httpx.AsyncClient) -> None:
    response = await web.get("/app/login")
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "style-src 'self'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "<style" not in response.text and "style=" not in response.text
    assert "<script>" not in response.text
    api = await world.client.get("/health")
    assert api.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"


async def test_static_files_carry_a_content_hash_and_a_long_cache(
        world: World, web: httpx.AsyncClient) -> None:
    page = await web.get("/app/login")
    href = re.search(r'href="(/app/static/app\.[0-9a-f]{10}\.css)"', page.text).group(1)
    css = await web.get(href)
    assert css.status_code == 200 and "text/css" in css.headers["content-type"]
    assert "max-age=31536000" in css.headers["cache-control"] and "immutable" in css.headers["cache-control"]
    assert (await web.get("/app/static/app.css")).status_code == 404
    assert (await web.get("/app/static/app.0000000000.css")).status_code == 404


async def test_unknown_page_is_an_html_not_found(
        world: World, web: httpx.AsyncClient) -> None:
    await sign_in(web, "admin@example.org")
    response = await web.get("/app/no-such-page")
    assert response.status_code == 404 and "text/html" in response.headers["content-type"]
    assert "Not found" in response.text


async def test_api_is_not_affected_by_csrf(
        world: World, web: httpx.AsyncClient) -> None:
    office = await world.office()
    assert office["id"]
