"""Fixtures of the accounts' tests: en, a client that asks for English pages."""

import pytest


@pytest.fixture
def en(client):
    """The client asks for English pages (cookie and header)."""
    client.set_cookie("lang", "en")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
